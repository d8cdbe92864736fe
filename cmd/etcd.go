package cmd

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/store"
)

// The store on etcd: --etcd URLS (or $GATEHOUSE_ETCD) in place of --db,
// on every command, serve and the console. Each process opens etcd itself:
// there is no file to hold, so nothing attaches to a holder (attach.go).
// The etcd engine is only in builds made with -tags etcd; in others the
// flags are there and say how to get one (store.OpenEtcd).

// etcdFlags are the global flags that put the store on etcd. Each may be
// given in the environment instead: --etcd-prefix as $GATEHOUSE_ETCD_PREFIX.
type etcdFlags struct {
	endpoints, prefix, ca, cert, key string
	maxTxnOps, maxRequestBytes       int
}

// etcdFlagNames are their names, --etcd first.
var etcdFlagNames = []string{"etcd", "etcd-prefix", "etcd-ca", "etcd-cert", "etcd-key", "etcd-max-txn-ops", "etcd-max-request-bytes"}

// etcdEnv is the environment variable of an etcd flag.
func etcdEnv(flag string) string {
	return "GATEHOUSE_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

func (a *app) addEtcdFlags(pf *pflag.FlagSet) {
	f := &a.etcd
	pf.StringVar(&f.endpoints, "etcd", "", "keep the store on etcd at these client `URLS` (http(s)://HOST:PORT, comma-separated; or $GATEHOUSE_ETCD) instead of a database file; TLS with --etcd-ca, --etcd-cert, --etcd-key, the cluster's limits with --etcd-max-txn-ops, --etcd-max-request-bytes (README: Several nodes over etcd)")
	pf.StringVar(&f.prefix, "etcd-prefix", "", "the store's key `PREFIX` on etcd (default gatehouse/; or $GATEHOUSE_ETCD_PREFIX)")
	pf.StringVar(&f.ca, "etcd-ca", "", "the CA certificate `FILE` of the etcd members, for https:// URLS (default the system's; or $GATEHOUSE_ETCD_CA)")
	pf.StringVar(&f.cert, "etcd-cert", "", "this client's certificate `FILE` for etcd, with --etcd-key (or $GATEHOUSE_ETCD_CERT)")
	pf.StringVar(&f.key, "etcd-key", "", "this client's key `FILE` for etcd, with --etcd-cert (or $GATEHOUSE_ETCD_KEY)")
	pf.IntVar(&f.maxTxnOps, "etcd-max-txn-ops", 0, "the etcd members' --max-txn-ops (default 16384): a change set bigger is refused before anything is written (or $GATEHOUSE_ETCD_MAX_TXN_OPS)")
	pf.IntVar(&f.maxRequestBytes, "etcd-max-request-bytes", 0, "the etcd members' --max-request-bytes (default 4194304): a change set bigger is refused before anything is written (or $GATEHOUSE_ETCD_MAX_REQUEST_BYTES)")
	// named in --etcd's help: a help screen lists the two a node needs
	for _, name := range etcdFlagNames[2:] {
		_ = pf.MarkHidden(name)
	}
}

// etcdSetting is an etcd flag's value: the flag's when given, else its
// environment variable's.
func (a *app) etcdSetting(flag string) string {
	if f := a.root.PersistentFlags().Lookup(flag); f != nil && f.Changed {
		return f.Value.String()
	}
	return a.getenv(etcdEnv(flag))
}

// etcdFlagGiven is the first etcd flag given on the command line, or "".
func (a *app) etcdFlagGiven() string {
	for _, name := range etcdFlagNames {
		if a.root.PersistentFlags().Changed(name) {
			return name
		}
	}
	return ""
}

// etcdStore says whether the command line's store is on etcd, and where:
// --etcd, or $GATEHOUSE_ETCD when --db is not given. --db with --etcd,
// an etcd flag without either, and both variables set are refused.
func (a *app) etcdStore() (store.EtcdConfig, bool, error) {
	pf := a.root.PersistentFlags()
	db, etcd := pf.Changed("db"), pf.Changed("etcd")
	switch {
	case db && etcd:
		return store.EtcdConfig{}, false, usagef("--db and --etcd name two stores: give --db FILE for a database file or --etcd URLS for a store on etcd, not both")
	case !etcd && (db || a.getenv("GATEHOUSE_ETCD") == ""):
		if f := a.etcdFlagGiven(); f != "" {
			return store.EtcdConfig{}, false, usagef("--%s goes with --etcd URLS (or $GATEHOUSE_ETCD); without it the store is a database file", f)
		}
		return store.EtcdConfig{}, false, nil
	case !etcd && a.getenv("GATEHOUSE_DB") != "":
		return store.EtcdConfig{}, false, usagef("both $GATEHOUSE_DB and $GATEHOUSE_ETCD are set: unset one, or say which store with --db FILE or --etcd URLS")
	}
	what := "--etcd"
	if !etcd {
		what = "$GATEHOUSE_ETCD"
	}
	cfg, err := a.etcdConfig(a.etcdSetting("etcd"), what)
	return cfg, err == nil, err
}

// onEtcd says whether the command line's store is on etcd: --etcd, or
// $GATEHOUSE_ETCD without --db (etcdStore says what is wrong with it).
func (a *app) onEtcd() bool {
	pf := a.root.PersistentFlags()
	return pf.Changed("etcd") || !pf.Changed("db") && a.getenv("GATEHOUSE_ETCD") != ""
}

// etcdConfig is the etcd store at endpoints (said by what, for messages)
// with the other etcd settings.
func (a *app) etcdConfig(endpoints, what string) (store.EtcdConfig, error) {
	urls, err := parseEtcdURLs(endpoints, what)
	if err != nil {
		return store.EtcdConfig{}, err
	}
	cfg := store.EtcdConfig{Endpoints: urls, Prefix: a.etcdSetting("etcd-prefix"),
		CAFile: a.etcdSetting("etcd-ca"), CertFile: a.etcdSetting("etcd-cert"), KeyFile: a.etcdSetting("etcd-key")}
	if cfg.MaxTxnOps, err = a.etcdLimit("etcd-max-txn-ops"); err != nil {
		return store.EtcdConfig{}, err
	}
	if cfg.MaxRequestBytes, err = a.etcdLimit("etcd-max-request-bytes"); err != nil {
		return store.EtcdConfig{}, err
	}
	return cfg, nil
}

// etcdLimit is a limit's setting (0: etcd's default).
func (a *app) etcdLimit(flag string) (int, error) {
	v := a.etcdSetting(flag)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		what := "--" + flag
		if !a.root.PersistentFlags().Changed(flag) {
			what = "$" + etcdEnv(flag)
		}
		return 0, usagef("%s must be a whole number (the etcd members' own setting), not %q", what, v)
	}
	return n, nil
}

// parseEtcdURLs reads comma-separated etcd client URLs.
func parseEtcdURLs(s, what string) ([]string, error) {
	var urls []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		u, err := url.Parse(p)
		if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.User != nil {
			return nil, usagef("%s: %q is not an etcd client URL: give http://HOST:PORT or https://HOST:PORT, comma-separated", what, p)
		}
		urls = append(urls, u.Scheme+"://"+u.Host)
	}
	return urls, nil
}
