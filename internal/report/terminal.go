// Package report shows what a run does on a terminal: which image, which
// step, how long, the image ID. Colour is used only on a terminal and
// never when NO_COLOR is set.
package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/fatih/color"
	"github.com/mattn/go-isatty"

	"github.com/antikythera-gear/gearimage/internal/pipeline"
	"github.com/antikythera-gear/gearimage/internal/plan"
	"github.com/antikythera-gear/gearimage/internal/request"
)

// Terminal writes concise, optionally coloured lines. It implements
// pipeline.Observer.
type Terminal struct {
	out   io.Writer
	name  request.Namer
	title *color.Color
	good  *color.Color
	bad   *color.Color
	faint *color.Color
}

// NewTerminal returns a Terminal writing to out, naming settings with name.
// Colour is on only when out is a terminal and NO_COLOR is unset or empty.
func NewTerminal(out io.Writer, name request.Namer, getenv func(string) string) *Terminal {
	t := &Terminal{
		out:   out,
		name:  name,
		title: color.New(color.Bold, color.FgCyan),
		good:  color.New(color.FgGreen),
		bad:   color.New(color.Bold, color.FgRed),
		faint: color.New(color.Faint),
	}
	useColor := isTerminal(out) && getenv("NO_COLOR") == ""
	for _, c := range []*color.Color{t.title, t.good, t.bad, t.faint} {
		if useColor {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	return t
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// Invalid lists every problem and states that nothing was built.
func (t *Terminal) Invalid(ps request.Problems) {
	t.bad.Fprintf(t.out, "%s found; nothing was built or tagged:\n", request.CountProblems(len(ps)))
	for _, p := range ps {
		fmt.Fprintf(t.out, "  - %s\n", p.Format(t.name))
	}
}

// Problems lists problems that are already formatted, then states what was
// not done, such as "started" or "built".
func (t *Terminal) Problems(lines []string, stopped string) {
	t.bad.Fprintf(t.out, "%s found; nothing was %s:\n", request.CountProblems(len(lines)), stopped)
	for _, line := range lines {
		fmt.Fprintf(t.out, "  - %s\n", line)
	}
}

// Line writes a heading line.
func (t *Terminal) Line(text string) {
	t.title.Fprintln(t.out, text)
}

// Note writes a line of information about a step.
func (t *Terminal) Note(step plan.Step, message string) {
	t.faint.Fprintf(t.out, "    %s: %s\n", step.Image, request.ExpandKeys(message, t.name))
}

// Started announces a build.
func (t *Terminal) Started(step plan.Step) {
	t.title.Fprintf(t.out, "==> %s: building %s", step.Image, strings.Join(step.Spec.Tags, ", "))
	fmt.Fprintf(t.out, " from %s (context %s)\n", step.Spec.Dockerfile, step.Spec.Context)
}

// Finished reports a built image.
func (t *Terminal) Finished(step plan.Step, r pipeline.Result) {
	t.good.Fprintf(t.out, "==> %s: built in %s", r.Image, FormatDuration(r.Duration))
	fmt.Fprintf(t.out, ": %s (%s, %s)\n", ShortID(r.ImageID), strings.Join(r.Tags, ", "), FormatSize(r.Size))
}

// Failed reports a failed or interrupted build.
func (t *Terminal) Failed(step plan.Step, err error, elapsed time.Duration) {
	if errors.Is(err, context.Canceled) {
		t.bad.Fprintf(t.out, "==> %s: interrupted after %s; the build was cancelled on the engine and not tagged\n", step.Image, FormatDuration(elapsed))
		return
	}
	t.bad.Fprintf(t.out, "==> %s: failed after %s\n", step.Image, FormatDuration(elapsed))
	fmt.Fprintf(t.out, "    %v\n", err)
}

// Summary writes one line per built image.
func (t *Terminal) Summary(results []pipeline.Result) {
	if len(results) == 0 {
		return
	}
	t.title.Fprintln(t.out, "Built:")
	for _, r := range results {
		fmt.Fprintf(t.out, "  %-7s %s  %-9s %-8s %s\n", r.Image, ShortID(r.ImageID), FormatSize(r.Size), FormatDuration(r.Duration), strings.Join(r.Tags, ", "))
	}
}

// ShortID returns the first 12 hex digits of an image ID, as docker images
// shows it.
func ShortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		id = id[:12]
	}
	return id
}

// FormatDuration rounds d for display: tenths of a second below a minute.
func FormatDuration(d time.Duration) string {
	if d < time.Minute {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// FormatSize writes a byte count in decimal units, as docker images does.
func FormatSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%dB", n)
	}
	value, exp := float64(n), 0
	for value >= unit && exp < 4 {
		value /= unit
		exp++
	}
	return fmt.Sprintf("%.3g%s", value, []string{"B", "kB", "MB", "GB", "TB"}[exp])
}
