package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInterruptCancelsBuild sends SIGINT, as Ctrl-C does, while a RUN step
// sleeps, and expects a quick non-zero exit with nothing tagged.
func TestInterruptCancelsBuild(t *testing.T) {
	eng := newEngine(t)
	repo := fixtureRepo(t)
	slow := filepath.Join(repo, "docker", "base", "Dockerfile.slow")
	// The unique argument keeps the step out of the engine's build cache.
	step := uniqueName("sleep")
	require.NoError(t, os.WriteFile(slow, []byte("FROM scratch\nCOPY probe /bin/probe\nRUN [\"/bin/probe\", \"sleep\", \"120s\", \""+step+"\"]\n"), 0o644))
	tag := uniqueName("cancelled")
	removeImages(t, eng, tag)

	cmd, out := startCompiled(t, repo, []string{"BASE_TAGS=" + tag, "BASE_DOCKERFILE=" + slow}, "build:base")
	waitForOutput(t, out, `probe", "sleep"`, 60*time.Second)
	time.Sleep(time.Second)
	interrupted := time.Now()
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))

	err := cmd.Wait()
	var exitErr *exec.ExitError
	require.ErrorAs(t, err, &exitErr, out.String())
	assert.NotEqual(t, 0, exitErr.ExitCode())
	assert.Less(t, time.Since(interrupted), 6*time.Second, "the build did not stop promptly")
	assert.Contains(t, out.String(), "==> base: interrupted after")
	assert.Contains(t, out.String(), "stopped: interrupted")
	assert.False(t, imageExists(t, eng, tag), "a cancelled build tagged %s", tag)
}
