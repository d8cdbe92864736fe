package tui

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/gatehouse/gatehouse/internal/reviewdoc"
	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// fieldFile is the review form's file name: a console field, not a store
// one, refused here (a file that exists is never overwritten).
const fieldFile store.Field = "file"

// whyNoFiles is why this console may not write a file ("": it may). Over SSH
// the file would land on the server, where the admin cannot reach it and
// where no remote user may write.
func (a *App) whyNoFiles() string {
	if a.opts.WriteFiles {
		return ""
	}
	return "over SSH a file would be written on the server: on your own machine run ssh HOST review > review.md (add --format csv or json)"
}

// reviewForm asks where to write an access review, and for whom; the store
// decides who may read one (view on Users & permissions and the Audit log).
func (a *App) reviewForm() tea.Cmd {
	if why := a.whyNoFiles(); why != "" {
		a.Flash("review: "+why, true)
		return nil
	}
	if err := a.s.CanView(a.actor, "audit"); err != nil {
		a.Fail(err)
		return nil
	}
	file := "access-review-" + time.Now().Format("2006-01-02") + ".md"
	format, profile, client := "md", "", ""
	profiles := []huh.Option[string]{huh.NewOption("every profile", "")}
	for _, p := range a.s.Profiles() {
		profiles = append(profiles, huh.NewOption(ui.Safe(p.Name), p.Name))
	}
	clients := []huh.Option[string]{huh.NewOption("every client", "")}
	for _, c := range a.s.Clients() {
		clients = append(clients, huh.NewOption(ui.Safe(c.Name), c.Name))
	}
	var cmd tea.Cmd
	m, init := ui.NewFormAt(a, "Write an access review", func() tea.Cmd {
		cmd = a.writeReview(file, format, store.ReviewFilter{Profile: profile, Client: client})
		return cmd
	}, func(note func(store.Field, string) string) []*huh.Group {
		return []*huh.Group{huh.NewGroup(
			huh.NewInput().Key(string(fieldFile)).Title("File").Description(note(fieldFile, "on this machine; an existing file is never overwritten")).Value(&file),
			huh.NewSelect[string]().Title("Format").Inline(true).Options(
				huh.NewOption("Markdown (to sign off)", "md"),
				huh.NewOption("CSV (a grant a line)", "csv"),
				huh.NewOption("JSON", "json")).Value(&format),
			huh.NewSelect[string]().Key(string(store.FieldName)).Title("Users holding").Description(note(store.FieldName, "")).Inline(true).Options(profiles...).Value(&profile),
			huh.NewSelect[string]().Key(string(store.FieldClient)).Title("Users of client").Description(note(store.FieldClient, "assigned it, or reaching its sites")).Inline(true).Options(clients...).Value(&client),
		)}
	})
	a.modal = m
	return init
}

// writeReview prepares the review now (a refusal keeps the form open) and
// writes it in the background: 100,000 users take a while.
func (a *App) writeReview(file, format string, f store.ReviewFilter) tea.Cmd {
	file = strings.TrimSpace(file)
	if file == "" {
		a.Fail(&store.Error{Kind: store.KindInput, Msg: "a file name is required", Field: fieldFile})
		return nil
	}
	if format != "md" && strings.EqualFold(filepath.Ext(file), ".md") {
		file = strings.TrimSuffix(file, filepath.Ext(file)) + "." + format
	}
	r, err := a.s.Review(a.actor, f)
	if err != nil {
		a.Fail(err)
		return nil
	}
	head := reviewdoc.Head{Generated: time.Now(), By: a.actor.Name, Review: r}
	write := func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 64<<10)
		var err error
		switch format {
		case "csv":
			err = reviewdoc.WriteCSV(bw, r)
		case "json":
			err = reviewdoc.WriteJSON(bw, head)
		default:
			err = reviewdoc.WriteMarkdown(bw, head)
		}
		if err == nil {
			err = bw.Flush()
		}
		return err
	}
	if files := a.opts.Files; files != nil {
		// the console runs for another process: the file is that one's
		if ok, _ := files.Exists(file); ok {
			a.Fail(&store.Error{Kind: store.KindInput, Msg: file + " exists: choose another name (nothing is overwritten)", Field: fieldFile})
			return nil
		}
		a.Flash("writing the access review to "+file+"…", false)
		return func() tea.Msg {
			pr, pw := io.Pipe()
			go func() { pw.CloseWithError(write(pw)) }()
			path, _, err := files.WriteFile(file, pr)
			pr.CloseWithError(err)
			if errors.Is(err, os.ErrExist) {
				return ui.ReportMsg{Text: "review not written: " + file + " exists: choose another name (nothing is overwritten)", Bad: true}
			}
			if err != nil {
				return ui.ReportMsg{Text: "review not written: " + err.Error(), Bad: true}
			}
			return ui.ReportMsg{Text: "wrote the access review (change set #" + fmt.Sprint(r.AsOf) + ") to " + path}
		}
	}
	// the review names everyone's access: readable by its owner only
	out, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		msg := fmt.Sprintf("cannot write %s: %v", file, errors.Unwrap(err))
		if errors.Is(err, os.ErrExist) {
			msg = file + " exists: choose another name (nothing is overwritten)"
		}
		a.Fail(&store.Error{Kind: store.KindInput, Msg: msg, Field: fieldFile})
		return nil
	}
	path, _ := filepath.Abs(file)
	a.Flash("writing the access review to "+path+"…", false)
	return func() tea.Msg {
		err := write(out)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(out.Name()) // no half a review left behind
			return ui.ReportMsg{Text: "review not written: " + err.Error(), Bad: true}
		}
		return ui.ReportMsg{Text: "wrote the access review (change set #" + fmt.Sprint(r.AsOf) + ") to " + path}
	}
}
