package integration

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// workflowFiles returns the workflow files of this repository.
func workflowFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"*.yml", "*.yaml"} {
		matches, err := filepath.Glob(filepath.Join(repoRoot, ".github", "workflows", pattern))
		require.NoError(t, err)
		files = append(files, matches...)
	}
	require.NotEmpty(t, files, "no workflow in .github/workflows")
	return files
}

// TestWorkflowsPassActionlint lints every workflow with actionlint,
// including shellcheck on the run: scripts and the inputs given to the
// local Action in action.yml, and fails on any finding.
func TestWorkflowsPassActionlint(t *testing.T) {
	shellcheck, err := exec.LookPath("shellcheck")
	require.NoError(t, err, "actionlint checks run: scripts with shellcheck; install it with apt-get install shellcheck")

	var out bytes.Buffer
	linter, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{
		Shellcheck: shellcheck,
		WorkingDir: repoRoot,
		Oneline:    true,
	})
	require.NoError(t, err)

	findings, err := linter.LintFiles(workflowFiles(t), nil)
	require.NoError(t, err)
	for _, f := range findings {
		t.Errorf("%s:%d:%d: %s [%s]", f.Filepath, f.Line, f.Column, f.Message, f.Kind)
	}
}

// TestWorkflowsExist checks that the workflows the docs describe are there.
func TestWorkflowsExist(t *testing.T) {
	for _, name := range []string{"ci.yml", "build.yml", "nightly.yml"} {
		assert.FileExists(t, filepath.Join(repoRoot, ".github", "workflows", name))
	}
}

// usesLine matches a step's uses: with its reference and an optional
// trailing comment.
var usesLine = regexp.MustCompile(`^\s*(?:-\s+)?uses:\s*([^\s#]+)\s*(?:#\s*(.*))?$`)

var (
	commitSHA  = regexp.MustCompile(`^[0-9a-f]{40}$`)
	versionTag = regexp.MustCompile(`^v\d+\.\d+\.\d+$`)
)

// TestWorkflowsPinActions checks that every action from another
// repository is pinned to a full commit SHA with its version tag as a
// comment, such as `uses: owner/repo@<40 hex digits> # v1.2.3`.
func TestWorkflowsPinActions(t *testing.T) {
	found := 0
	for _, file := range workflowFiles(t) {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		for _, line := range strings.Split(string(data), "\n") {
			m := usesLine.FindStringSubmatch(line)
			if m == nil || strings.HasPrefix(m[1], "./") || strings.HasPrefix(m[1], "docker://") {
				continue
			}
			found++
			where := filepath.Base(file) + ":" + strings.TrimSpace(line)
			_, ref, ok := strings.Cut(m[1], "@")
			if assert.True(t, ok, "%s: no @ref", where) {
				assert.Regexp(t, commitSHA, ref, "%s: not pinned to a full commit SHA", where)
			}
			assert.Regexp(t, versionTag, strings.TrimSpace(m[2]), "%s: no # vX.Y.Z comment", where)
		}
	}
	assert.Positive(t, found, "no action from another repository found; is the pattern still right?")
}
