package cmd

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// buildVersion is what the go command recorded in the binary: the main
// module's version, the commit it was built from and the toolchain.
type buildVersion struct {
	Version    string `json:"version"`
	Commit     string `json:"commit"`
	CommitTime string `json:"commit_time"`
	Modified   bool   `json:"modified"`
	Go         string `json:"go"`
	Platform   string `json:"platform"`
}

// unknown stands for what the build did not record: a binary built with
// -buildvcs=false (or outside a checkout) has no commit.
const unknown = "unknown"

// readBuildVersion reads runtime/debug's build info; readBuildInfo is
// debug.ReadBuildInfo (a parameter so a test can hand it what a build
// without VCS information carries).
func readBuildVersion(readBuildInfo func() (*debug.BuildInfo, bool)) buildVersion {
	v := buildVersion{Version: unknown, Commit: unknown, CommitTime: unknown, Go: runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH}
	bi, ok := readBuildInfo()
	if !ok {
		return v
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version // "(devel)" for a build of a checkout without VCS information
	}
	if bi.GoVersion != "" {
		v.Go = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.CommitTime = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// String is the text `version` and `--version` print.
func (v buildVersion) String() string {
	commit := v.Commit
	switch {
	case commit == unknown:
		commit = "unknown (built without version control information)"
	case v.Modified:
		commit += " (" + v.CommitTime + ", with uncommitted changes)"
	default:
		commit += " (" + v.CommitTime + ")"
	}
	return fmt.Sprintf("gatehouse %s\ncommit  %s\ngo      %s %s\n", v.Version, commit, v.Go, v.Platform)
}

func (a *app) versionCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "version",
		Short: "Print the version, the commit and the Go version gatehouse was built with",
		Long: `Print the version of the main module, the commit it was built from (with its
time, and whether the checkout had uncommitted changes) and the Go toolchain.
A binary built without version control information (go build -buildvcs=false,
or outside a checkout) says "unknown" for the commit. --version prints the same.`,
		Args: nargs(0, 0, ""),
	}
	c.RunE = func(c *cobra.Command, args []string) error {
		v := readBuildVersion(debug.ReadBuildInfo)
		if a.json {
			return a.printJSON(v)
		}
		a.printf("%s", multiline(v.String()))
		return nil
	}
	return c
}
