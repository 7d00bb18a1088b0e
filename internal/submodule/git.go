package submodule

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
)

// repositoryEnv lists variables that point git at a repository other than
// the one found from the working directory. A caller started from a git
// hook has them set, and they would override the -C directory.
var repositoryEnv = []string{
	"GIT_DIR",
	"GIT_WORK_TREE",
	"GIT_INDEX_FILE",
	"GIT_COMMON_DIR",
	"GIT_OBJECT_DIRECTORY",
	"GIT_PREFIX",
}

// gitError is a failed git command with its standard error output.
type gitError struct {
	args   []string
	stderr string
	err    error
}

func (e *gitError) Error() string {
	msg := fmt.Sprintf("git %s failed: %v", strings.Join(e.args, " "), e.err)
	if e.stderr != "" {
		msg += ": " + e.stderr
	}
	return msg
}

func (e *gitError) Unwrap() error { return e.err }

// exitCode returns the exit status of a git command that ran, or -1.
func (e *gitError) exitCode() int {
	var exitErr *exec.ExitError
	if errors.As(e.err, &exitErr) {
		return exitErr.ExitCode()
	}
	return -1
}

// runGit runs git in dir and returns its standard output. Messages are in
// English (LC_ALL=C), because callers match some of them.
func runGit(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	cmd.Env = gitEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return "", fmt.Errorf("git is not installed or not in PATH; install git: %w", err)
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return "", fmt.Errorf("git %s: %w", strings.Join(args, " "), ctxErr)
		}
		return "", &gitError{args: args, stderr: strings.TrimSpace(stderr.String()), err: err}
	}
	return stdout.String(), nil
}

func gitEnv() []string {
	env := make([]string, 0, len(os.Environ())+1)
	for _, entry := range os.Environ() {
		name, _, _ := strings.Cut(entry, "=")
		if !slices.Contains(repositoryEnv, name) && name != "LC_ALL" {
			env = append(env, entry)
		}
	}
	return append(env, "LC_ALL=C")
}

// isDubiousOwnership reports whether git rejected a repository because
// another user owns it (git 2.35.2 and later).
func isDubiousOwnership(err error) bool {
	var gitErr *gitError
	return errors.As(err, &gitErr) && strings.Contains(gitErr.stderr, "detected dubious ownership")
}

// isNotRepository reports whether git found no repository at or above the
// directory.
func isNotRepository(err error) bool {
	var gitErr *gitError
	return errors.As(err, &gitErr) && strings.Contains(gitErr.stderr, "not a git repository")
}
