package session

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"time"
)

// zipWriter builds a zip archive of stored (uncompressed) files, the
// smallest form any unzip tool and every operating system opens. Storing
// costs little here, the photos being JPEGs already, and saves the
// download of a compressor (archive/zip with compress/flate) in the app.
// Its Parts are the archive's bytes in order, so a large export is handed
// to the browser without being copied into one slice.
type zipWriter struct {
	Parts   [][]byte
	size    uint64
	central []byte
	count   int
	err     error // the first file that did not fit
	date    uint16
	time    uint16
}

// Zip's own limits without its 64-bit extensions.
const (
	zipMaxFiles = 0xffff
	zipMaxSize  = 0xffff_ffff
)

// errZipTooBig: the export does not fit one plain zip file.
var errZipTooBig = errors.New("the export is larger than 4 GB or 65,535 files, more than one zip file can hold")

func newZip(modified time.Time) *zipWriter {
	t := modified.Local()
	return &zipWriter{
		date: uint16((max(t.Year(), 1980)-1980)<<9 | int(t.Month())<<5 | t.Day()),
		time: uint16(t.Hour()<<11 | t.Minute()<<5 | t.Second()/2),
	}
}

// Add stores data as the file called name (a slash-separated path, UTF-8).
// A file that does not fit makes Close fail.
func (z *zipWriter) Add(name string, data []byte) {
	if z.count == zipMaxFiles || z.size+uint64(len(data))+uint64(30+len(name)) > zipMaxSize {
		z.err = errZipTooBig
	}
	if z.err != nil {
		return
	}
	// The central directory entry; a local header is the same fields from
	// "version needed" to the name's length, after its own signature.
	var c [46]byte
	le := binary.LittleEndian
	le.PutUint32(c[0:], 0x02014b50)
	le.PutUint16(c[4:], 20)    // made by version 2.0
	le.PutUint16(c[6:], 20)    // version 2.0 needed
	le.PutUint16(c[8:], 1<<11) // names are UTF-8; method 0: stored
	le.PutUint16(c[12:], z.time)
	le.PutUint16(c[14:], z.date)
	le.PutUint32(c[16:], crc32.ChecksumIEEE(data))
	le.PutUint32(c[20:], uint32(len(data))) // compressed
	le.PutUint32(c[24:], uint32(len(data))) // uncompressed
	le.PutUint16(c[28:], uint16(len(name)))
	le.PutUint32(c[42:], uint32(z.size)) // where the local header is
	local := make([]byte, 30, 30+len(name))
	le.PutUint32(local, 0x04034b50)
	copy(local[4:], c[6:30])
	local = append(local, name...)
	z.central = append(append(z.central, c[:]...), name...)
	z.Parts = append(z.Parts, local, data)
	z.size += uint64(len(local) + len(data))
	z.count++
}

// Close appends the central directory and its end record.
func (z *zipWriter) Close() error {
	if z.err != nil || z.size+uint64(len(z.central)) > zipMaxSize {
		return errZipTooBig
	}
	end := make([]byte, 22)
	le := binary.LittleEndian
	le.PutUint32(end, 0x06054b50) // one disk, no comment
	le.PutUint16(end[8:], uint16(z.count))
	le.PutUint16(end[10:], uint16(z.count))
	le.PutUint32(end[12:], uint32(len(z.central)))
	le.PutUint32(end[16:], uint32(z.size))
	z.Parts = append(z.Parts, z.central, end)
	z.size += uint64(len(z.central) + len(end))
	return nil
}

// Size is the archive's size so far.
func (z *zipWriter) Size() int64 { return int64(z.size) }
