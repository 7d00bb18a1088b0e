package integration

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe for a writing command and a polling test.
type syncBuffer struct {
	mu  chan struct{}
	buf bytes.Buffer
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{mu: make(chan struct{}, 1)} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.String()
}

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

	cmd := exec.Command(mageBinary(t), "build:base")
	cmd.Dir = repo
	cmd.Env = append(baseEnv(), "BASE_TAGS="+tag, "BASE_DOCKERFILE="+slow)
	out := newSyncBuffer()
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())

	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(out.String(), "probe\", \"sleep\"") {
		require.True(t, time.Now().Before(deadline), "the sleeping step never started:\n%s", out.String())
		time.Sleep(200 * time.Millisecond)
	}
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
