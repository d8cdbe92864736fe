package cmd

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/store"
)

// migrateCmd copies the store between a database file and etcd
// (store.MigrateToEtcd, store.MigrateToFile). It opens the file itself,
// like the holder: a file another gatehouse holds is refused, since what
// that one wrote after the copy would not be in it.
func (a *app) migrateCmd() *cobra.Command {
	var toEtcd, toFile string
	c := &cobra.Command{
		Use:   "migrate (--to-etcd URLS [--etcd-prefix P] | --etcd URLS --to FILE)",
		Short: "Copy the store from a database file into etcd, or back; the audit chain verified on both sides",
		Long: `Copy the store between engines, record by record as stored, so the audit
chain's hashes stay what they were: --to-etcd copies the database file (--db,
$GATEHOUSE_DB or the default) into an etcd cluster under --etcd-prefix; --to
copies the store on etcd (--etcd or $GATEHOUSE_ETCD) into a new database file.
The source's audit chain is verified first (nothing is copied if it does not
verify), the copy's after, and the two must hold the same records.

The target must hold nothing: migrate never writes over a file, nor into a
prefix holding keys. Into etcd the records go in transactions within the
cluster's limits (--etcd-max-txn-ops, --etcd-max-request-bytes), and the key
that makes the prefix a store goes last: a migrate cut short leaves no store
(every gatehouse refuses the prefix, saying so), and running it again clears
what it left and starts over. Into a file the copy is written beside it and
named only once whole.

Stop whatever writes to the source first (serve, consoles; on etcd, every
node): what is written after the copy is not in it. Needs a gatehouse built
with -tags etcd.`,
		Example: `  gatehouse --db /var/lib/gatehouse/gatehouse.db migrate --to-etcd http://127.0.0.1:2379
  gatehouse --etcd http://127.0.0.1:2379 migrate --to /var/backups/gatehouse-from-etcd.db`,
		Args: nargs(0, 0, ""),
	}
	c.Flags().StringVar(&toEtcd, "to-etcd", "", "copy the database file into etcd at these client `URLS` (comma-separated), under --etcd-prefix")
	c.Flags().StringVar(&toFile, "to", "", "copy the store on etcd (--etcd URLS) into this new database `FILE`")
	c.RunE = func(c *cobra.Command, args []string) error {
		if a.env.Store != nil {
			return refusedf("migrate runs on the server's machine, on a store nothing else has open")
		}
		var target store.EtcdConfig
		switch {
		case toEtcd != "" && toFile != "":
			return usagef("migrate goes one way at a time: give --to-etcd URLS (the file into etcd) or --to FILE (etcd into a file), not both")
		case toEtcd == "" && toFile == "":
			return usagef("migrate needs --to-etcd URLS (the database file into etcd) or --to FILE (the store on etcd into a new file)")
		case toEtcd != "":
			if a.root.PersistentFlags().Changed("etcd") {
				return usagef("migrate --to-etcd copies the database file: name it with --db FILE; the etcd it goes into is --to-etcd's")
			}
			cfg, err := a.etcdConfig(toEtcd, "--to-etcd")
			if err != nil {
				return err
			}
			path := a.dbPath
			if path == "" {
				path = store.DefaultPath()
			}
			if _, err := os.Stat(path); err != nil {
				return usagef("there is no database file %s to copy: name it with --db FILE", path)
			}
			target, a.fileOnly = cfg, true
		case !a.onEtcd():
			return usagef("migrate --to FILE copies a store on etcd into a new file: say where it is with --etcd URLS (or $GATEHOUSE_ETCD)")
		}
		s, actor, err := a.open()
		if err != nil {
			return err
		}
		if err := s.Capabilities(actor).May(store.OperatorJobs); err != nil {
			return err
		}
		var m store.Migrated
		if toEtcd != "" {
			m, err = s.MigrateToEtcd(target)
		} else {
			m, err = s.MigrateToFile(toFile)
		}
		if err != nil {
			return err
		}
		if m.Restarted {
			a.printf("cleared what an unfinished migrate had left in %s\n", m.To)
		}
		a.printf("copied %s into %s: %s\n", m.From, m.To, plural(m.Records, "record", "records"))
		a.printf("audit chain verified on both sides: %s, head %s\n", plural(int(m.Entries), "entry", "entries"), m.Head)
		if toEtcd != "" {
			with := "--etcd " + toEtcd
			if target.Prefix != "" {
				with += " --etcd-prefix " + target.Prefix
			}
			a.printf("from now on open it with %s: what is written to %s is not in etcd\n", with, m.From)
		}
		return nil
	}
	return c
}
