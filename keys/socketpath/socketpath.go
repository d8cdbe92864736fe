// Package socketpath names the local socket of a database's holder. It
// imports nothing, so that a process can look for a holder before the
// runtime has initialized its other packages (cmd/gatehouse/early).
package socketpath

// Suffix makes the socket's path of a database's (canonical) path: the
// holder listens beside the file, named after it.
const Suffix = ".sock"
