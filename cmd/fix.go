package cmd

import (
	"fmt"

	"github.com/gatehouse/gatehouse/store"
)

// fixText is a store error's fix said as the command that does it.
func fixText(f store.Fix) string {
	who := f.Ref.Label
	switch f.Do {
	case store.FixList:
		switch f.Kind {
		case store.RecordUser:
			return "see: gatehouse users list --status all"
		case store.RecordProfile:
			return "see: gatehouse profiles list"
		case store.RecordClient:
			return "see: gatehouse clients list"
		case store.RecordSite:
			return "see: gatehouse sites list"
		case store.RecordTeam:
			return "see: gatehouse teams list"
		case store.RecordScreen:
			return "see: gatehouse screens list"
		}
	case store.FixSetting:
		verb := "set it with"
		switch f.Value {
		case "off":
			verb = "turn it off with"
		case "on":
			verb = "turn it on with"
		}
		return fmt.Sprintf("%s: gatehouse settings set %s %s", verb, f.Setting, f.Value)
	case store.FixDisable:
		return "disable instead: gatehouse users disable " + who
	case store.FixRetire:
		return fmt.Sprintf("retire it instead: gatehouse %ss retire %q", f.Ref.Kind, who)
	case store.FixRemoveKey:
		return fmt.Sprintf("remove it there first: gatehouse users remove-key %s %s", who, f.Value)
	case store.FixListKeys:
		return "see: gatehouse users keys " + who
	case store.FixSetClient:
		return fmt.Sprintf("change it with: gatehouse users edit %s --client NAME", who)
	case store.FixAssignClient:
		return fmt.Sprintf("use: gatehouse users assign-client %s --client NAME", who)
	case store.FixGiveClient:
		return "add --client NAME"
	case store.FixVerifyAudit:
		return "see: gatehouse audit verify"
	case store.FixNewDatabase:
		return "run it on a new file: gatehouse --db NEW.db demo"
	}
	return ""
}
