package main

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"pawfile/server/backup"
	"pawfile/server/db"
	"pawfile/server/directory"
)

// signupPolicy is the sign-up policy of serve's -signup and -signup-limit.
func signupPolicy(mode string, limit int) (directory.Signup, error) {
	switch mode {
	case "code":
		return directory.Signup{RequireCode: true}, nil
	case "open":
		if limit < 1 {
			return directory.Signup{}, errors.New("-signup-limit must be at least 1")
		}
		return directory.Signup{PerHour: limit}, nil
	}
	return directory.Signup{}, fmt.Errorf("-signup %q: say code or open", mode)
}

// signupLink is the address that opens the app's new-workspace form with
// code filled in. The code travels in the fragment, which browsers never
// send to a server or proxy.
func signupLink(base, code string) string {
	return strings.TrimSuffix(base, "/") + "/#signup=" + code
}

// printSetupLink prints a one-time link for the first workspace while the
// server that asks for sign-up codes has none: as a banner for a person
// reading the terminal, or as a log entry when the logs are JSON (-log
// json), where every line must be one.
func printSetupLink(ctx context.Context, dir *directory.Directory, base string, log *slog.Logger, banner bool) error {
	if !dir.SignupRequired() {
		return nil
	}
	has, err := dir.HasWorkspaces(ctx)
	if err != nil || has {
		return err
	}
	code, expires, err := dir.NewSignupCode(ctx)
	if err != nil {
		return err
	}
	if !banner {
		log.Warn("no workspace yet: open the setup link to create the first one; later workspaces need a code from pawfile signup-code",
			"link", signupLink(base, code), "expires", expires)
		return nil
	}
	fmt.Fprintf(os.Stderr, "\nNo workspace yet. To create the first one, open this link (it works once, until %s):\n\n    %s\n\nLater workspaces need a code from: pawfile signup-code\n\n",
		expires.Local().Format("2 Jan 2006 15:04"), signupLink(base, code))
	return nil
}

// signupCodeReply is what POST /admin/signup-codes answers.
type signupCodeReply struct {
	Code    string    `json:"code"`
	Expires time.Time `json:"expires"`
	Link    string    `json:"link"`
}

// signupCodes makes a sign-up code for pawfile signup-code, on the
// loopback interface and with the admin token only. base is read per
// request: the server knows its own address only once it listens.
func signupCodes(dir *directory.Directory, token string, base func() string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			http.Error(w, "sign-up codes are made on the loopback interface only", http.StatusForbidden)
			return
		}
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+token)) != 1 {
			http.Error(w, "wrong admin token: run pawfile signup-code with the server's -data directory", http.StatusUnauthorized)
			return
		}
		code, expires, err := dir.NewSignupCode(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(signupCodeReply{Code: code, Expires: expires, Link: signupLink(base(), code)})
	})
}

// signupCodeCmd prints a new sign-up code: it asks the running server, as
// pawfile backup does, or with no server running writes it into the
// database itself.
func signupCodeCmd(args []string) error {
	fs := flag.NewFlagSet("pawfile signup-code", flag.ContinueOnError)
	data := fs.String("data", "./data", "the server's data directory (for its admin token)")
	addr := fs.String("addr", "127.0.0.1:8080", "address of the running server")
	base := fs.String("url", "", "the server's public address, for the link when the server is not running (default http://ADDR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	token, err := os.ReadFile(filepath.Join(*data, backup.TokenFile))
	if err != nil {
		return fmt.Errorf("signup-code: read the admin token in %s: %w (is -data the server's data directory?)", *data, err)
	}
	req, err := http.NewRequest("POST", "http://"+*addr+"/admin/signup-codes", nil)
	if err != nil {
		return fmt.Errorf("signup-code: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	var rep signupCodeReply
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if rep, err = signupCodeOffline(*data, *base, *addr); err != nil {
			return fmt.Errorf("signup-code: the server at %s did not answer and %w", *addr, err)
		}
	} else {
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			return fmt.Errorf("signup-code: the server refused: %s", strings.TrimSpace(string(msg)))
		}
		if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
			return fmt.Errorf("signup-code: read the server's answer: %w", err)
		}
	}
	fmt.Printf("Sign-up code: %s\nLink:         %s\nIt creates one workspace, until %s.\n",
		rep.Code, rep.Link, rep.Expires.Local().Format("2 Jan 2006 15:04"))
	return nil
}

// signupCodeOffline makes a code in a stopped server's database.
func signupCodeOffline(data, base, addr string) (signupCodeReply, error) {
	d, err := db.Open(data)
	if err != nil {
		return signupCodeReply{}, fmt.Errorf("its database is busy: %w", err)
	}
	defer d.Close()
	dir, err := directory.Open(d)
	if err != nil {
		return signupCodeReply{}, err
	}
	code, expires, err := dir.NewSignupCode(context.Background())
	if err != nil {
		return signupCodeReply{}, err
	}
	if base == "" {
		base = "http://" + addr
	}
	return signupCodeReply{Code: code, Expires: expires, Link: signupLink(base, code)}, nil
}
