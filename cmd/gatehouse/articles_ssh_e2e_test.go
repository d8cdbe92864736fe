//go:build unix

package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"testing"
)

// Each article from the console over OpenSSH's ssh -tt, at each size, as
// the administrator signed in with her key; what the steps changed is read
// back over SSH, through the same server.
func TestE2EHelpArticlesOverOpenSSH(t *testing.T) {
	if raceEnabled {
		t.Skip("not under -race: it tests processes the race detector does not instrument (see TestE2EOpenSSH)")
	}
	needTools(t, "ssh", "ssh-keygen", "tmux")
	key := keygen(t, t.TempDir(), "ada") // one key for every server: each enrols it
	for _, a := range helpArticles {
		for _, size := range articleSizes {
			t.Run(fmt.Sprintf("%s/%dx%d", a.name, size.w, size.h), func(t *testing.T) {
				db := filepath.Join(t.TempDir(), "gatehouse.db")
				seedArticle(t, db, a)
				mustGH(t, db, "users", "add-key", adminEmail, key+".pub")
				srv := serveDB(t, db)
				tm := startProgram(t, size.w, size.h, "ssh", srv.sshArgs(key, "-tt", "127.0.0.1")...)
				tm.waitFor(regexp.QuoteMeta(adminEmail) + ` │`) // signed in: the status line names her
				tm.follow(a.steps)
				tm.keys("q")
				quitEnds(t, tm, srv, adminEmail)
				a.check(t, sshChecker(t, srv, key))
			})
		}
	}
}

// signsIn checks that email signs in to the server with password, through
// OpenSSH's own password prompt, and gets a console.
func (c checker) signsIn(email, password string) {
	c.t.Helper()
	args := []string{"-F", "/dev/null", "-p", c.srv.port, "-o", "PubkeyAuthentication=no", "-o", "IdentityAgent=none",
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
		"-tt", "-l", email, "127.0.0.1"}
	tm := startProgram(c.t, 100, 30, "ssh", args...)
	tm.waitFor(`Password:`)
	tm.typeText(password)
	tm.keys("Enter")
	tm.waitFor(`\[1 My access\]`)
	tm.waitFor(regexp.QuoteMeta(email))
	tm.keys("q")
	quitEnds(c.t, tm, c.srv, email)
}
