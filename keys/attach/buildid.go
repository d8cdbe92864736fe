package attach

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"sync"
)

// A holder runs the commands of every gatehouse that attaches to it, in
// its own code: after an upgrade (or a rebuild) a command line of the new
// build would run in the old one's until that ends. Each side therefore
// names its build by the Go build ID the linker writes in the executable
// (the note "Go" of type 4 near the start of an ELF file, what `go tool
// buildid` prints), and a holder refuses a caller of another build. Where
// it cannot be read (not ELF), nothing is compared.

var ownBuild struct {
	once sync.Once
	id   string
}

// BuildID is the running executable's Go build ID ("" where unknown).
func BuildID() string {
	ownBuild.once.Do(func() {
		if exe, err := os.Executable(); err == nil {
			ownBuild.id = ReadBuildID(exe)
		}
	})
	return ownBuild.id
}

// buildIDWindow is how much of an executable's start is searched: the
// linker puts the note in the first page.
const buildIDWindow = 32 << 10

// ReadBuildID is the Go build ID of the executable at path ("" where it
// has none that can be read).
func ReadBuildID(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	buf := make([]byte, buildIDWindow)
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.ErrUnexpectedEOF {
		return ""
	}
	buf = buf[:n]
	if !bytes.HasPrefix(buf, []byte("\x7fELF")) {
		return ""
	}
	name := []byte("Go\x00\x00")
	for at := 12; ; {
		i := bytes.Index(buf[at:], name)
		if i < 0 {
			return ""
		}
		i += at
		// an ELF note: name size 4, description size, type 4 (the Go build ID)
		namesz := binary.LittleEndian.Uint32(buf[i-12:])
		descsz := binary.LittleEndian.Uint32(buf[i-8:])
		typ := binary.LittleEndian.Uint32(buf[i-4:])
		if end := i + 4 + int(descsz); namesz == 4 && typ == 4 && descsz > 0 && descsz < 512 && end <= len(buf) {
			return string(buf[i+4 : end])
		}
		at = i + 1
	}
}
