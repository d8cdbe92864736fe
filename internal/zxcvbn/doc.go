// Package zxcvbn is github.com/trustelem/zxcvbn v1.0.1 (MIT, LICENSE.txt),
// its top package (less the attack-time estimates, which nothing reads),
// matching and frequency copied here with one change: the ranked dictionaries and the frequency lists they come from are built at
// the first password checked instead of at package init. Upstream builds
// them in every process that links the package — 20–130 ms and 10 MB, most
// of the start of every gatehouse process, though only the process holding
// the database ever checks a password (issue 12: an attached command is a
// process that starts, sends its command line and prints the answer). The
// scores are upstream's: match, scoring and adjacency are upstream's
// packages, and TestStrengthIsUpstreams compares the two.
package zxcvbn
