package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"pawfile/server/backup"
	"pawfile/server/db"
	"pawfile/server/directory"
	"pawfile/server/pwa"
	"pawfile/server/store"
	"pawfile/server/wsbackup"
)

// progress prints a one-line progress meter on stderr.
func progress(verb string) backup.Progress {
	last := time.Time{}
	return func(done, total int64) {
		if time.Since(last) < 200*time.Millisecond && done != total {
			return
		}
		last = time.Now()
		if total > 0 {
			fmt.Fprintf(os.Stderr, "\r%s %.1f of %.1f MB (%d%%)", verb, mb(done), mb(total), done*100/total)
		} else {
			fmt.Fprintf(os.Stderr, "\r%s %.1f MB", verb, mb(done))
		}
	}
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }

func backupCmd(args []string) error {
	fs := flag.NewFlagSet("pawfile backup", flag.ContinueOnError)
	out := fs.String("out", "", "file to write the backup to (required)")
	data := fs.String("data", "./data", "the server's data directory (for its admin token)")
	addr := fs.String("addr", "127.0.0.1:8080", "the running server: host:port over plain HTTP, or its https:// address when it serves TLS itself")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("backup: say where to write it with -out FILE")
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := fetchBackup(f, *data, *addr); err != nil {
		f.Close()
		os.Remove(*out)
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(os.Stderr, "\nbackup written to %s\n", *out)
	return nil
}

// fetchBackup asks the running server for a backup: bbolt locks its file,
// so only the server can read a consistent copy while it serves. With no
// server running, it reads the file itself.
func fetchBackup(w io.Writer, data, addr string) error {
	token, err := os.ReadFile(filepath.Join(data, backup.TokenFile))
	if err != nil {
		return fmt.Errorf("backup: read the admin token in %s: %w (is -data the server's data directory?)", data, err)
	}
	base := addr
	if !strings.Contains(addr, "://") {
		base = "http://" + addr
	}
	req, err := http.NewRequest("GET", strings.TrimSuffix(base, "/")+"/admin/backup", nil)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d, oerr := db.Open(data)
		if oerr != nil {
			return fmt.Errorf("backup: the server at %s did not answer (%v) and its database is busy: %w", addr, err, oerr)
		}
		defer d.Close()
		_, err = backup.Write(w, d, progress("backing up"))
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("backup: the server refused: %s", strings.TrimSpace(string(msg)))
	}
	p := progress("backing up")
	var n int64
	buf := make([]byte, 256<<10)
	for {
		k, rerr := resp.Body.Read(buf)
		if k > 0 {
			if _, err := w.Write(buf[:k]); err != nil {
				return fmt.Errorf("backup: %w", err)
			}
			n += int64(k)
			p(n, 0)
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return fmt.Errorf("backup: the stream broke off: %w", rerr)
		}
	}
}

func restoreCmd(args []string) error {
	fs := flag.NewFlagSet("pawfile restore", flag.ContinueOnError)
	in := fs.String("in", "", "backup file to restore (required)")
	data := fs.String("data", "", "data directory to restore into; the server must be stopped (required)")
	maxGiB := fs.Int64("max-gib", backup.DefaultMaxBytes>>30, "the largest database to restore, in GiB")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || *data == "" {
		return errors.New("restore: name the backup with -in FILE and the data directory with -data DIR")
	}
	f, err := os.Open(*in)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	opt := backup.Options{Size: fi.Size(), MaxBytes: *maxGiB << 30, Progress: progress("restoring")}
	if err := backup.Restore(f, *data, opt); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "\nrestored into %s; the integrity check passed\n", *data)
	return nil
}

func checkCmd(args []string) error {
	fs := flag.NewFlagSet("pawfile check", flag.ContinueOnError)
	data := fs.String("data", "./data", "data directory of a stopped server")
	if err := fs.Parse(args); err != nil {
		return err
	}
	path := filepath.Join(*data, db.File)
	if err := backup.Check(path); err != nil {
		return err
	}
	fmt.Printf("%s: ok\n", path)
	return nil
}

func compressCmd(args []string) error {
	fs := flag.NewFlagSet("pawfile compress-app", flag.ContinueOnError)
	web := fs.String("web", "web", "directory holding app.wasm")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return pwa.Compress(filepath.Join(*web, "app.wasm"), os.Stderr)
}

// restoreWorkspaceCmd restores one workspace from the encrypted backup its
// owner downloaded, onto a stopped server that does not hold it.
func restoreWorkspaceCmd(args []string) error {
	fs := flag.NewFlagSet("pawfile restore-workspace", flag.ContinueOnError)
	data := fs.String("data", "./data", "data directory of the stopped server to restore into")
	maxMiB := fs.Int64("max-mib", wsbackup.DefaultMaxBytes>>20, "the most the backup may decompress to, in MiB")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("restore-workspace: name the backup file: pawfile restore-workspace -data DIR FILE")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("restore-workspace: %w", err)
	}
	defer f.Close()
	d, err := db.Open(*data)
	if err != nil {
		return fmt.Errorf("restore-workspace: %w", err)
	}
	defer d.Close()
	if _, err := store.Open(d); err != nil {
		return err
	}
	if _, err := directory.Open(d); err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("restore-workspace: %w", err)
	}
	h, err := wsbackup.Restore(context.Background(), d, f, fi.Size(), *maxMiB<<20)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "restored workspace %s (backup taken %s) into %s: start the server, then sign in with the owner's login and passphrase\n",
		h.Workspace, h.TakenAt.Format(time.RFC3339), *data)
	return nil
}
