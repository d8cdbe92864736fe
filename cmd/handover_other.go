//go:build !unix

package cmd

import (
	"os"

	"github.com/gatehouse/gatehouse/keys"
	"github.com/gatehouse/gatehouse/store"
)

// No terminal is handed to a holder here (no holder runs here: keys'
// LocalSupported).

const handoverEnv = "GATEHOUSE_HOLD_CONSOLE"

type handover struct{}

func newHandover(*Attach, []string) *handover   { return nil }
func (h *handover) files() []*os.File           { return nil }
func (h *handover) started()                    {}
func (h *handover) close()                      {}
func (h *handover) wait(db string, pid int) int { return 1 }

type handedConsole struct{}

func adoptHandover() *handedConsole            { return nil }
func (h *handedConsole) hold(*keys.Server)     {}
func (h *handedConsole) close()                {}
func (h *handedConsole) terminal() *os.File    { return nil }
func (h *handedConsole) run(*store.Store, Env) {}
