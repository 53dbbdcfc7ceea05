//go:build !js

package e2e

import (
	"testing"
	"time"
)

// TestSignup: on a server that asks for sign-up codes, creating a
// workspace without one says where to get one; the code typed in works;
// an invite link of an older version (code in the query) still opens the
// join form.
func TestSignup(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, 820, 1180)
	b.open(srv.url() + "/")
	b.fill("login", "owner@example.com")
	b.fill("pass", passphrase)
	b.fill("pass2", passphrase)
	b.button("Create workspace")
	b.waitText("this server asks for a sign-up code", 60*time.Second)
	b.waitText("pawfile signup-code", time.Second)
	b.checkAxe("no sign-up code")

	link := srv.signupLink()
	b.fill("signup", link[len(srv.url()+"/#signup="):])
	b.fill("pass", passphrase)
	b.fill("pass2", passphrase)
	b.button("Create workspace")
	b.waitText("No clients yet", 60*time.Second)

	old := newBrowser(t, 1024, 768)
	old.open(srv.url() + "/?invite=ABCD-EFGH")
	old.waitValue("code", "ABCD-EFGH", 20*time.Second)
}
