package cmd

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// readBuildVersion reads what each kind of build records, and says
// "unknown" for what it does not.
func TestReadBuildVersion(t *testing.T) {
	t.Parallel()
	vcs := func(settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{GoVersion: "go1.27.3", Main: debug.Module{Path: "github.com/gatehouse/gatehouse", Version: "v0.0.0-20261201100000-1bf6509abcde"}}
		for i := 0; i+1 < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	for _, c := range []struct {
		name    string
		bi      *debug.BuildInfo
		ok      bool
		want    buildVersion
		printed []string
	}{
		{"no build info", nil, false,
			buildVersion{Version: "unknown", Commit: "unknown", CommitTime: "unknown", Go: runtime.Version()},
			[]string{"gatehouse unknown\n", "commit  unknown (built without version control information)\n"}},
		{"-buildvcs=false", &debug.BuildInfo{GoVersion: "go1.27.3", Main: debug.Module{Version: "(devel)"}}, true,
			buildVersion{Version: "(devel)", Commit: "unknown", CommitTime: "unknown", Go: "go1.27.3"},
			[]string{"gatehouse (devel)\n", "commit  unknown (built without version control information)\n", "go      go1.27.3 "}},
		{"a clean checkout", vcs("vcs", "git", "vcs.revision", "1bf6509abcdef", "vcs.time", "2026-12-01T10:00:00Z", "vcs.modified", "false"), true,
			buildVersion{Version: "v0.0.0-20261201100000-1bf6509abcde", Commit: "1bf6509abcdef", CommitTime: "2026-12-01T10:00:00Z", Go: "go1.27.3"},
			[]string{"commit  1bf6509abcdef (2026-12-01T10:00:00Z)\n"}},
		{"uncommitted changes", vcs("vcs.revision", "1bf6509abcdef", "vcs.time", "2026-12-01T10:00:00Z", "vcs.modified", "true"), true,
			buildVersion{Version: "v0.0.0-20261201100000-1bf6509abcde", Commit: "1bf6509abcdef", CommitTime: "2026-12-01T10:00:00Z", Modified: true, Go: "go1.27.3"},
			[]string{"commit  1bf6509abcdef (2026-12-01T10:00:00Z, with uncommitted changes)\n"}},
	} {
		got := readBuildVersion(func() (*debug.BuildInfo, bool) { return c.bi, c.ok })
		c.want.Platform = runtime.GOOS + "/" + runtime.GOARCH
		if got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
		for _, p := range c.printed {
			if !strings.Contains(got.String(), p) {
				t.Errorf("%s: %q does not say %q", c.name, got.String(), p)
			}
		}
	}
}
