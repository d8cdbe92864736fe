package cmd_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// version and --version through binaries built with and without version
// control information: the commit the checkout is at, or "unknown".
func TestVersion(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	build := func(name string, flags ...string) (string, error) {
		// gatehouse and gatehouse-core, side by side, in a folder of
		// their own
		out := filepath.Join(dir, name)
		c := exec.Command("go", append(append([]string{"build"}, flags...), "-o", out+string(filepath.Separator), "./gatehouse", "./gatehouse-core")...)
		// GOFLAGS of this machine says -buildvcs=false: each build says its own
		c.Env = append(os.Environ(), "GOFLAGS=")
		if b, err := c.CombinedOutput(); err != nil {
			return "", &buildError{err, string(b)}
		}
		return filepath.Join(out, "gatehouse"), nil
	}
	run := func(bin string, args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			t.Fatalf("%s %q: %v", bin, args, err)
		}
		return string(out)
	}
	type shown struct {
		Version, Commit, Go, Platform string
		CommitTime                    string `json:"commit_time"`
		Modified                      bool
	}
	asJSON := func(bin string) shown {
		t.Helper()
		var v shown
		if err := json.Unmarshal([]byte(run(bin, "--json", "version")), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}

	novcs, err := build("novcs", "-buildvcs=false")
	if err != nil {
		t.Fatal(err)
	}
	text := run(novcs, "version")
	contains(t, "version without VCS", text, "gatehouse (devel)\n", "commit  unknown (built without version control information)\n",
		"go      "+runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH+"\n")
	if got := run(novcs, "--version"); got != text {
		t.Fatalf("--version %q, version %q: want the same", got, text)
	}
	if v := asJSON(novcs); v.Commit != "unknown" || v.CommitTime != "unknown" || v.Modified || v.Go != runtime.Version() {
		t.Fatalf("version --json without VCS: %+v", v)
	}

	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout (or no git): the build with VCS information is not tried: %v", err)
	}
	dirty, err := exec.Command("git", "status", "--porcelain").Output()
	if err != nil {
		t.Fatal(err)
	}
	withvcs, err := build("withvcs", "-buildvcs=true")
	if err != nil {
		t.Fatal(err)
	}
	commit := strings.TrimSpace(string(head))
	v := asJSON(withvcs)
	if v.Commit != commit || v.Modified != (len(dirty) > 0) || v.CommitTime == "unknown" || v.Version == "unknown" {
		t.Fatalf("version --json with VCS: %+v; want commit %s, modified %v", v, commit, len(dirty) > 0)
	}
	text = run(withvcs, "version")
	contains(t, "version with VCS", text, "commit  "+commit+" ("+v.CommitTime)
	if got := run(withvcs, "--version"); got != text {
		t.Fatalf("--version %q, version %q: want the same", got, text)
	}
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }
