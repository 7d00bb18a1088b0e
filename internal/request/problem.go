package request

import (
	"fmt"
	"strings"
)

// Problem is one invalid setting or unmet condition found before anything
// is built.
type Problem struct {
	Key Key
	// Value is the value as given, quoted in messages. Never a secret's
	// content: for a secret it is empty or a description such as
	// "<42 bytes>".
	Value string
	// Message describes what is wrong. It may name other settings as {key},
	// which Format replaces with their names.
	Message string
	// Fix is the action that resolves the problem.
	Fix string
}

// Namer turns a setting key into the name a user typed: an environment
// variable for Mage, an input for the GitHub Action.
type Namer func(Key) string

// EnvNamer names settings by their environment variables.
func EnvNamer(k Key) string { return k.EnvName() }

// InputNamer names settings by their GitHub Action inputs. The settings
// that only the environment sets keep their variable names.
func InputNamer(k Key) string {
	if k == KeyDockerHost || k == KeySSHAuthSock {
		return k.EnvName()
	}
	return string(k)
}

// Format renders the problem as one line: setting, value, what is wrong
// and the fix.
func (p Problem) Format(name Namer) string {
	var b strings.Builder
	b.WriteString(name(p.Key))
	if p.Value != "" {
		fmt.Fprintf(&b, "=%q", p.Value)
	}
	b.WriteString(": ")
	b.WriteString(ExpandKeys(p.Message, name))
	if p.Fix != "" {
		b.WriteString("; ")
		b.WriteString(ExpandKeys(p.Fix, name))
	}
	return b.String()
}

// ExpandKeys replaces each {key} in s with the name of that setting.
func ExpandKeys(s string, name Namer) string {
	for _, st := range Settings {
		s = strings.ReplaceAll(s, "{"+string(st.Key)+"}", name(st.Key))
	}
	return s
}

// Problems is a list of problems; as an error it reports them all.
type Problems []Problem

// Error lists every problem on its own line, named as environment
// variables.
func (ps Problems) Error() string {
	return ps.Format(EnvNamer)
}

// Format lists every problem on its own line.
func (ps Problems) Format(name Namer) string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Format(name)
	}
	return fmt.Sprintf("%s found, nothing was built:\n  - %s", CountProblems(len(ps)), strings.Join(lines, "\n  - "))
}

// CountProblems returns "1 problem" or "n problems".
func CountProblems(n int) string {
	if n == 1 {
		return "1 problem"
	}
	return fmt.Sprintf("%d problems", n)
}
