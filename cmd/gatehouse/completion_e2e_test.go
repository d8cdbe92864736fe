//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Completion as a person meets it: bash with the script gatehouse prints,
// in a real terminal, pressing Tab; and OpenSSH's ssh asking the server
// for completions as a scoped manager, who never gets a user outside
// their sites.

// bashCompletion is the bash-completion package's script, which cobra's
// bash script needs (_get_comp_words_by_ref).
const bashCompletion = "/usr/share/bash-completion/bash_completion"

func TestE2EBashCompletion(t *testing.T) {
	needTools(t, "bash", "tmux")
	if _, err := os.Stat(bashCompletion); err != nil {
		t.Skipf("%s is missing (apt-get install bash-completion; .ci/run installs it)", bashCompletion)
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "gatehouse.db")
	mustGH(t, db, "clients", "add", "Acme")
	mustGH(t, db, "sites", "add", "North Depot", "--client", "Acme")
	for _, u := range [][]string{
		{"Ava", "Garcia", "ava.garcia.1@example.com", "Manager"},
		{"Ava", "Garcia", "ava.garcia.2@example.com", "User"},
		{"Bob", "Basic", "bob@example.com", "Basic"},
	} {
		mustGH(t, db, "users", "add", "--first", u[0], "--last", u[1], "--email", u[2], "--profile", u[3], "--site", "North Depot")
	}
	// the binary on PATH by its name, as installed
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(binary, filepath.Join(bin, "gatehouse")); err != nil {
		t.Fatal(err)
	}
	tm := startProgram(t, 120, 60, "env", "-i", "HOME="+dir, "TERM=xterm", "PATH="+bin+":/usr/bin:/bin", "GATEHOUSE_DB="+db,
		"PS1=$ ", "HISTFILE=", "bash", "--norc", "--noprofile") // no history: bash writes it into HOME as tmux ends it, after the test
	tm.typeText("source " + bashCompletion + "; source <(gatehouse completion bash); echo ready")
	tm.keys("Enter")
	tm.waitFor(`(?m)^ready$`)

	// an email: the first Tab completes what the matches share; then, as
	// readline does after it inserted text, Tab twice lists them
	tm.typeText("gatehouse users show ava")
	tm.keys("Tab")
	tm.waitFor(`(?m)users show ava\.garcia\.\s*$`)
	tm.keys("Tab", "Tab")
	tm.waitFor(`ava\.garcia\.1@example\.com\s+\(Ava Garcia\)\s+ava\.garcia\.2@example\.com\s+\(Ava Garcia\)`)
	tm.typeText("2")
	tm.keys("Tab")
	tm.waitFor(`(?m)users show ava\.garcia\.2@example\.com\s*$`) // tmux drops the space after it
	tm.keys("Enter")
	tm.waitFor(`Ava Garcia <ava\.garcia\.2@example\.com>`)

	// a flag's value: the profiles, with what each is
	tm.typeText("gatehouse users list --profile ")
	tm.keys("Tab", "Tab")
	tm.waitFor(`Administrator\s+\(employee, all sites\)`)
	tm.waitFor(`Client\s+\(client, assigned sites\)`)
	tm.typeText("Ba")
	tm.keys("Tab")
	tm.waitFor(`(?m)--profile Basic\s*$`)
	tm.keys("Enter")
	tm.waitFor(`Bob Basic\s+bob@example\.com`)

	// a command the tree has, and one listed in --help
	tm.typeText("gatehouse comp")
	tm.keys("Tab")
	tm.waitFor(`(?m)gatehouse completion\s*$`)
	tm.keys("C-u")
	tm.typeText("gatehouse --help") // (the pane holds the whole help: 48 lines)
	tm.keys("Enter")
	tm.waitFor(`completion\s+Generate the autocompletion script`)
}

func TestE2ECompletionOverOpenSSH(t *testing.T) {
	if raceEnabled {
		t.Skip("not under -race: it tests processes the race detector does not instrument")
	}
	needTools(t, "ssh", "ssh-keygen")
	dir := t.TempDir()
	db := filepath.Join(dir, "ssh.db")
	mustGH(t, db, "clients", "add", "Acme")
	mustGH(t, db, "sites", "add", "North Depot", "--client", "Acme")
	mustGH(t, db, "sites", "add", "South Yard", "--client", "Acme")
	// every email starts with "u.", so one prefix asks for everyone: the
	// server's command line splitter (go-shlex) drops an empty '' argument
	for _, u := range [][]string{
		{"Max", "Manager", "u.max@example.com", "Manager", "North Depot"},
		{"Nia", "North", "u.nia@example.com", "User", "North Depot"},
		{"Sol", "South", "u.sol@example.com", "User", "South Yard"},
		{"Bob", "Basic", "u.bob@example.com", "Basic", "North Depot"},
	} {
		mustGH(t, db, "users", "add", "--first", u[0], "--last", u[1], "--email", u[2], "--profile", u[3], "--site", u[4])
	}
	maxKey, bobKey := keygen(t, dir, "max"), keygen(t, dir, "bob")
	mustGH(t, db, "users", "add-key", "u.max@example.com", maxKey+".pub")
	mustGH(t, db, "users", "add-key", "u.bob@example.com", bobKey+".pub")
	srv := serveDB(t, db)

	for _, c := range []struct {
		key     string
		command []string
		want    string // the completions, one a line, then the directive
	}{
		{maxKey, []string{"__complete", "users", "show", "u."}, "u.bob@example.com\tBob Basic\nu.max@example.com\tMax Manager\nu.nia@example.com\tNia North\n:4\n"},
		{maxKey, []string{"__completeNoDesc", "users", "show", "u.s"}, ":4\n"}, // Sol is outside North Depot
		{maxKey, []string{"__completeNoDesc", "sites", "assign", "u.nia@example.com", "u."}, "u.bob@example.com\nu.max@example.com\nu.nia@example.com\n:4\n"},
		{maxKey, []string{"__complete", "users", "list", "--site="}, "North Depot\tAcme\nSouth Yard\tAcme\n:4\n"}, // sites list shows them all
		{bobKey, []string{"__completeNoDesc", "users", "show", "u."}, ":4\n"},                                     // users show is not theirs over SSH
		{bobKey, []string{"__completeNoDesc", "effective", "u."}, "u.bob@example.com\n:4\n"},
		{bobKey, []string{"__completeNoDesc", "check", "u."}, "u.bob@example.com\n:4\n"},
		{bobKey, []string{"__completeNoDesc", "e"}, "effective\n:4\n"},
		{bobKey, []string{"__completeNoDesc", "u"}, ":4\n"}, // no users command for them
	} {
		stdout, stderr, code := srv.ssh(t, c.key, c.command...)
		if code != 0 || stdout != c.want {
			t.Errorf("ssh %s: exit %d\nstdout %q\nstderr %q\nwant %q", strings.Join(c.command, " "), code, stdout, stderr, c.want)
		}
		if strings.Contains(stdout, "sol@") {
			t.Errorf("ssh %s names a user outside the manager's sites: %q", strings.Join(c.command, " "), stdout)
		}
	}
	// the script generator is not offered over SSH: its script would run a gatehouse on the client
	if _, stderr, code := srv.ssh(t, maxKey, "completion", "bash"); code != 1 || !strings.Contains(stderr, "completion bash is not available over SSH") {
		t.Errorf("ssh completion bash: exit %d %q", code, stderr)
	}
}
