package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gatehouse/gatehouse/internal/safetext"
	"github.com/gatehouse/gatehouse/store"
	"github.com/spf13/cobra"
)

// Whole-database commands: the local operator, or an all-sites user with
// maintain on Setup.

func (a *app) backupCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the database file (online)",
		Args:  nargs(1, 1, "one FILE to write"),
	}
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		if err := s.Capabilities(actor).May(store.OperatorJobs); err != nil {
			return err
		}
		if a.onEtcd() {
			return refusedf("backup copies a database file, and this store is on etcd: copy it into a new file with 'gatehouse migrate --to %s', or back up etcd itself (etcdctl snapshot save)", args[0])
		}
		exists := func() error {
			return refusedf("%s already exists; backup never overwrites: choose another name or remove it", args[0])
		}
		if ok, _ := a.caller().Exists(args[0]); ok {
			return exists()
		}
		if a.env.Caller != nil {
			// run for another process: the copy is made here, beside the
			// database, and written whole on the caller's side, where the
			// file is the caller's (its folder, its rights)
			size, err := a.backupForCaller(s, args[0])
			if errors.Is(err, fs.ErrExist) {
				return exists()
			}
			if err != nil {
				return err
			}
			a.printf("backup written to %s (%s)\n", args[0], plural(int(size), "byte", "bytes"))
			return nil
		}
		if err := s.Backup(args[0]); err != nil {
			return err
		}
		size := ""
		if fi, err := os.Stat(args[0]); err == nil {
			size = " (" + plural(int(fi.Size()), "byte", "bytes") + ")"
		}
		a.printf("backup written to %s%s\n", args[0], size)
		return nil
	})
	return c
}

// backupForCaller writes a backup to the caller's file name: made in a
// folder of its own beside the database (removed after), then sent.
func (a *app) backupForCaller(s *store.Store, name string) (int64, error) {
	dir, err := os.MkdirTemp(filepath.Dir(s.Path()), ".gatehouse-backup-")
	if err != nil {
		return 0, &store.Error{Kind: store.KindInput, Msg: fmt.Sprintf("cannot write the backup: %v", err)}
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, "backup.db")
	if err := s.Backup(tmp); err != nil {
		return 0, err
	}
	f, err := os.Open(tmp)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	_, size, err := a.caller().WriteFile(name, f)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return 0, &store.Error{Kind: store.KindInput, Msg: fmt.Sprintf("cannot write the backup: %v", err)}
	}
	return size, err
}

func (a *app) exportCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "export [FILE]",
		Short: "Write everything but secrets and the audit log as JSON (to FILE or stdout)",
		Args:  nargs(0, 1, "at most one FILE"),
	}
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		if err := s.Capabilities(actor).May(store.OperatorJobs); err != nil {
			return err
		}
		file := ""
		if len(args) == 1 && args[0] != "-" {
			file = args[0]
			if ok, _ := a.caller().Exists(file); ok {
				return refusedf("%s already exists; export never overwrites: choose another name or remove it", file)
			}
		}
		d, err := s.Export()
		if err != nil {
			return err
		}
		data, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return err
		}
		data = append(data, '\n')
		if file == "" {
			// the same JSON, with nothing raw in it for a terminal
			_, err := a.env.Out.Write(safetext.JSON(data))
			return err
		}
		if _, _, err := a.caller().WriteFile(file, bytes.NewReader(data)); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return refusedf("%s already exists; export never overwrites: choose another name or remove it", file)
			}
			return err
		}
		a.printf("exported %s, %s, %s, %s to %s\n", plural(len(d.Users), "user", "users"), plural(len(d.Clients), "client", "clients"),
			plural(len(d.Sites), "site", "sites"), plural(len(d.Profiles), "profile", "profiles"), file)
		return nil
	})
	return c
}

// readInput reads FILE, or stdin for "-".
func (a *app) readInput(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(a.env.In)
	}
	b, err := a.caller().ReadFile(name, maxInputFile+1)
	if err != nil {
		return nil, usagef("cannot read %s: %v", name, unwrapPath(err))
	}
	if len(b) > maxInputFile {
		return nil, usagef("%s is larger than %d MiB, more than gatehouse reads; split it", name, maxInputFile>>20)
	}
	return b, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (a *app) importCmd() *cobra.Command {
	var dry bool
	c := &cobra.Command{
		Use:   "import FILE [--dry-run]",
		Short: "Apply an export as one change set: create what is missing, update what differs",
		Args:  nargs(1, 1, "one FILE (an export; - for stdin)"),
	}
	c.Flags().BoolVar(&dry, "dry-run", false, "say what would change and write nothing")
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		if err := s.Capabilities(actor).May(store.OperatorJobs); err != nil {
			return err
		}
		data, err := a.readInput(args[0])
		if err != nil {
			return err
		}
		var d store.Dump
		dec := json.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(&d); err != nil {
			return usagef("%s is not a gatehouse export: %v", args[0], err)
		}
		cs, err := s.Import(actor, &d, dry)
		if err != nil {
			return err
		}
		if err := a.report(cs, "imported "+args[0]); err != nil {
			return err
		}
		if !a.json {
			a.printKinds(cs)
		}
		return nil
	})
	return c
}

// printKinds summarizes a change set's entries by kind of record.
func (a *app) printKinds(cs *store.ChangeSet) {
	type tally struct {
		records map[uint64]bool
		created int
		fields  int
	}
	kinds := map[store.RecordKind]*tally{}
	for _, e := range cs.Entries {
		t := kinds[e.Entity.Kind]
		if t == nil {
			t = &tally{records: map[uint64]bool{}}
			kinds[e.Entity.Kind] = t
		}
		t.records[e.Entity.ID] = true
		if e.Field == "created" {
			t.created++
		} else {
			t.fields++
		}
	}
	names := make([]store.RecordKind, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		t := kinds[k]
		a.printf("  %-9s %s: %d created, %s changed\n", k, plural(len(t.records), "record", "records"), t.created, plural(t.fields, "field", "fields"))
	}
}

func (a *app) importUsersCmd() *cobra.Command {
	var dry bool
	c := &cobra.Command{
		Use:   "import-users FILE.csv [--dry-run]",
		Short: "Add users from CSV, all or nothing",
		Long: `Add users from a CSV file as one change set: if any row is bad, nothing is
written and every bad row is listed with its line number. The header is:
  ` + store.CSVHeader + `
sites are separated by ';'. Each new user is sent an invitation.`,
		Args: nargs(1, 1, "one FILE.csv (- for stdin)"),
	}
	c.Flags().BoolVar(&dry, "dry-run", false, "check every row and say what would change; write nothing")
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		data, err := a.readInput(args[0])
		if err != nil {
			return err
		}
		cs, rows, err := s.ImportUsersCSV(actor, bytes.NewReader(data), dry)
		if len(rows) > 0 {
			if !a.json { // with --json the rows are inside the error's JSON
				for _, r := range rows {
					fmt.Fprintf(a.env.Err, "line %d: %s\n", r.Line, oneLine(r.Err))
				}
			}
			return &badRowsError{&usageError{fmt.Sprintf("%s in %s; nothing was imported", plural(len(rows), "bad row", "bad rows"), args[0])}, rows}
		}
		if err != nil {
			return err
		}
		n := 0
		for _, e := range cs.Entries {
			if e.Entity.Kind == "user" && e.Field == "created" {
				n++
			}
		}
		return a.report(cs, fmt.Sprintf("imported %s from %s; invitations queued", plural(n, "user", "users"), args[0]))
	})
	return c
}

func (a *app) demoCmd() *cobra.Command {
	var users int
	var seed uint64
	c := &cobra.Command{
		Use:   "demo [--users N]",
		Short: "Fill an empty database with realistic clients, sites, teams and users",
		Args:  nargs(0, 0, ""),
	}
	c.Flags().IntVar(&users, "users", 200, "how many users")
	c.Flags().Uint64Var(&seed, "seed", 1, "random seed: the same seed gives the same data")
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		if err := s.Capabilities(actor).May(store.OperatorJobs); err != nil {
			return err
		}
		if users < 1 {
			return usagef("--users must be at least 1, not %d", users)
		}
		start := time.Now()
		tty := a.caller().IsTerminal(2)
		last := -1
		progress := func(done, total int) {
			if total <= 0 {
				return
			}
			pct := done * 100 / total
			if pct == last {
				return
			}
			last = pct
			if tty {
				// numbers only: straight to the terminal, whose line \r redraws
				fmt.Fprintf(a.rawErr, "\rdemo: %3d%% (%d/%d)", pct, done, total)
				if done >= total {
					fmt.Fprintln(a.rawErr)
				}
			} else {
				fmt.Fprintf(a.env.Err, "demo: %d%% (%d/%d)\n", pct, done, total)
			}
		}
		r, err := s.Demo(actor, store.DemoOptions{Users: users, Seed: seed, Progress: progress})
		if tty && last >= 0 && last < 100 {
			fmt.Fprintln(a.rawErr)
		}
		if err != nil {
			return err
		}
		el := time.Since(start).Round(time.Millisecond)
		a.printf("demo: created %s, %s, %s and %s in %s\n", plural(r.Clients, "client", "clients"), plural(r.Sites, "site", "sites"),
			plural(r.Teams, "team", "teams"), plural(r.Users, "user", "users"), el)
		a.printf("try: gatehouse users list\n")
		return nil
	})
	return c
}
