package list

import "testing"

// Each list's keys are its own: turning one list's marks on leaves another's off.
func TestKeyMapsAreEachLists(t *testing.T) {
	a, b := New[string](), New[string]()
	a.KeyMap.SetMarks(true)
	a.KeyMap.Down.SetHelp("↓", "next user")
	if b.KeyMap.Mark.Enabled() || DefaultKeyMap().Mark.Enabled() || b.KeyMap.Down.Help().Desc != "down" {
		t.Error("one list's key map changed another's")
	}
}
