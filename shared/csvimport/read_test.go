package csvimport

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

func mustRead(t *testing.T, data []byte, opts Options) *Table {
	t.Helper()
	tb, err := Read(bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return tb
}

func cells(tb *Table) [][]string {
	out := [][]string{tb.Headers}
	for _, r := range tb.Rows {
		out = append(out, r.Cells)
	}
	return out
}

func utf16(t *testing.T, s string, e unicode.Endianness) []byte {
	t.Helper()
	b, err := unicode.UTF16(e, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReadEncodingsAndDelimiters(t *testing.T) {
	const text = "Name,Town\nZoë Brontë,Saint-Étienne\n"
	want := [][]string{{"Name", "Town"}, {"Zoë Brontë", "Saint-Étienne"}}
	win, err := charmap.Windows1252.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		data  []byte
		enc   string
		delim rune
		want  [][]string
	}{
		{"utf-8", []byte(text), "UTF-8", ',', want},
		{"utf-8 with BOM", append([]byte("\xEF\xBB\xBF"), text...), "UTF-8", ',', want},
		{"utf-16le with BOM", utf16(t, text, unicode.LittleEndian), "UTF-16LE", ',', want},
		{"utf-16be with BOM", utf16(t, text, unicode.BigEndian), "UTF-16BE", ',', want},
		{"windows-1252", win, "Windows-1252", ',', want},
		{"windows-1252 euro and smart quotes", []byte("Name;Notes\nAl;\x80 5 \x93deposit\x94\n"), "Windows-1252", ';',
			[][]string{{"Name", "Notes"}, {"Al", "€ 5 “deposit”"}}},
		{"semicolon with commas in quoted address", []byte("Name;Address;Phone\nAl;\"1 High St, Leeds\";0113\nBo;\"2 Low Rd, York\";0190\n"), "UTF-8", ';',
			[][]string{{"Name", "Address", "Phone"}, {"Al", "1 High St, Leeds", "0113"}, {"Bo", "2 Low Rd, York", "0190"}}},
		{"semicolon with decimal commas", []byte("Name;Balance\nAl;12,50\nBo;3,00\n"), "UTF-8", ';',
			[][]string{{"Name", "Balance"}, {"Al", "12,50"}, {"Bo", "3,00"}}},
		{"tab", []byte("Name\tPhone\nAl\t0113, ext 2\n"), "UTF-8", '\t',
			[][]string{{"Name", "Phone"}, {"Al", "0113, ext 2"}}},
		{"one column", []byte("Name\nAl\nBo\n"), "UTF-8", ',', [][]string{{"Name"}, {"Al"}, {"Bo"}}},
		{"CRLF", []byte("Name,Phone\r\nAl,1\r\n"), "UTF-8", ',', [][]string{{"Name", "Phone"}, {"Al", "1"}}},
		{"CR only (old Mac)", []byte("Name,Phone\rAl,1\r"), "UTF-8", ',', [][]string{{"Name", "Phone"}, {"Al", "1"}}},
		{"no final newline", []byte("Name,Phone\nAl,1"), "UTF-8", ',', [][]string{{"Name", "Phone"}, {"Al", "1"}}},
		{"short rows and unnamed columns", []byte("Name,Phone\nAl\nBo,2,extra\n"), "UTF-8", ',',
			[][]string{{"Name", "Phone", ""}, {"Al"}, {"Bo", "2", "extra"}}},
		{"embedded newlines in quoted cells", []byte("Name,Notes\nAl,\"line one\nline two\r\nline three\"\nBo,x\n"), "UTF-8", ',',
			[][]string{{"Name", "Notes"}, {"Al", "line one\nline two\nline three"}, {"Bo", "x"}}},
		{"doubled quotes", []byte("Name,Notes\nAl,\"says \"\"hi\"\"\"\n"), "UTF-8", ',', [][]string{{"Name", "Notes"}, {"Al", `says "hi"`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := mustRead(t, tt.data, Options{})
			if tb.Encoding != tt.enc || tb.Delimiter != tt.delim {
				t.Errorf("encoding %s delimiter %q, want %s %q", tb.Encoding, tb.Delimiter, tt.enc, tt.delim)
			}
			if got := cells(tb); !slices.EqualFunc(got, tt.want, slices.Equal) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestReadDelimiterOverride(t *testing.T) {
	tb := mustRead(t, []byte("a;b,c\n1;2,3\n"), Options{Delimiter: ','})
	if len(tb.Headers) != 2 || tb.Headers[0] != "a;b" {
		t.Errorf("headers %q", tb.Headers)
	}
	if _, err := Read(strings.NewReader("a"), Options{Delimiter: '|'}); err == nil {
		t.Error("pipe delimiter accepted")
	}
}

func TestRowNumbers(t *testing.T) {
	// Row numbers are what a spreadsheet shows: the header is row 1, a
	// quoted cell over three lines is one row, a blank line is a row.
	data := "\nName,Notes\nAl,\"a\nb\nc\"\n\nBo,x\nCy,y\n"
	tb := mustRead(t, []byte(data), Options{})
	if tb.HeaderRow != 2 {
		t.Errorf("HeaderRow = %d, want 2", tb.HeaderRow)
	}
	var got []int
	for _, r := range tb.Rows {
		got = append(got, r.Number)
	}
	if want := []int{3, 5, 6}; !slices.Equal(got, want) {
		t.Errorf("row numbers %v, want %v", got, want)
	}
}

func TestReadRefuses(t *testing.T) {
	long := "Name,Notes\nAl,ok\nBo," + strings.Repeat("x", 10<<20) + "\n"
	wide := "Name,Phone\n" + strings.Repeat(",", 100_000) + "\n" // under the line limit
	tests := []struct {
		name string
		data string
		opts Options
		want error
		msg  string
	}{
		{"empty", "", Options{}, ErrEmpty, "nothing in it"},
		{"blank", " \r\n\n", Options{}, ErrEmpty, ""},
		{"xlsx", "PK\x03\x04rest of a zip", Options{}, ErrNotText, "save it as \"CSV UTF-8\""},
		{"xls", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", Options{}, ErrNotText, ".xls"},
		{"NUL byte", "Name\nAl\nB\x00o\n", Options{}, ErrNotText, "line 3 contains a NUL byte"},
		{"UTF-16 without BOM", "N\x00a\x00m\x00e\x00\n\x00", Options{}, ErrNotText, "UTF-16 without a byte-order mark"},
		{"UTF-8 BOM with bad bytes", "\xEF\xBB\xBFName\nZo\xEB\n", Options{}, ErrNotText, "line 2 is not UTF-8"},
		{"10 MB line", long, Options{}, ErrLineTooLong, "line 3 is 10.0 MB long"},
		{"100k columns", wide, Options{}, ErrTooManyColumns, "line 2 has 100001 cells"},
		{"100k filled columns", "Name\n" + strings.Repeat("a,", 100_000) + "a\n", Options{}, ErrLineTooLong, "line 2 is 195 KB long"},
		{"too large", "Name\n" + strings.Repeat("Al\n", 100), Options{MaxBytes: 100}, ErrTooLarge, "split"},
		{"too many rows", "Name\n" + strings.Repeat("Al\n", 11), Options{MaxRows: 10}, ErrTooManyRows, "line 12"},
		{"too many cells", "a,b\n" + strings.Repeat("1,2\n", 10), Options{MaxCells: 10}, ErrTooManyRows, "cells"},
		{"unclosed quote", "Name,Notes\nAl,\"never closed\nBo,x\n", Options{}, ErrMalformed, "opened on line 2 is not closed"},
		{"bare quote", "Name,Notes\nAl,5\" poodle\n", Options{}, ErrMalformed, "line 2, column 5"},
		{"text after closing quote", "Name,Notes\nAl,\"a\"b\n", Options{}, ErrMalformed, "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			tb, err := Read(strings.NewReader(tt.data), tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tb != nil {
				t.Error("a table came back with the error")
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q does not contain %q", err, tt.msg)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func TestReadFileTooLargeDoesNotReadOn(t *testing.T) {
	// A never-ending reader stops at the limit.
	r := &endless{}
	if _, err := Read(r, Options{MaxBytes: 1 << 20}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v", err)
	}
	if r.n > 1<<20+64<<10 {
		t.Errorf("read %d bytes past a 1 MB limit", r.n)
	}
}

type endless struct{ n int }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	e.n += len(p)
	return len(p), nil
}
