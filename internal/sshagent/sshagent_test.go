package sshagent

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// listen opens a unix socket in a temporary directory and closes it when
// the test ends.
func listen(t *testing.T) (*net.UnixListener, string) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "agent.sock")
	listener, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = listener.Close() })
	return listener, sock
}

// serve calls handle for every connection accepted on listener until the
// listener closes.
func serve(listener net.Listener, handle func(net.Conn)) {
	go func() {
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				handle(conn)
			}()
		}
	}()
}

// serveKeyring serves an in-process agent with the given number of new
// ed25519 keys and returns its socket.
func serveKeyring(t *testing.T, keys int) string {
	t.Helper()
	keyring := agent.NewKeyring()
	for range keys {
		_, private, err := ed25519.GenerateKey(rand.Reader)
		require.NoError(t, err)
		require.NoError(t, keyring.Add(agent.AddedKey{PrivateKey: private, Comment: "test key"}))
	}
	listener, sock := listen(t)
	serve(listener, func(conn net.Conn) { _ = agent.ServeAgent(keyring, conn) })
	return sock
}

func TestCheckAgentWithKey(t *testing.T) {
	sock := serveKeyring(t, 1)

	keys, err := Check(sock)

	require.NoError(t, err)
	assert.Equal(t, 1, keys)
}

func TestCheckAgentWithTwoKeys(t *testing.T) {
	sock := serveKeyring(t, 2)

	keys, err := Check(sock)

	require.NoError(t, err)
	assert.Equal(t, 2, keys)
}

func TestCheckAgentWithoutKeys(t *testing.T) {
	sock := serveKeyring(t, 0)

	keys, err := Check(sock)

	require.ErrorIs(t, err, ErrNoKeys)
	assert.Zero(t, keys)
	assert.Contains(t, err.Error(), "SSH agent has no keys: "+sock+"; add a key")
	assert.Contains(t, err.Error(), "ssh-add ~/.ssh/id_ed25519")
	assert.Contains(t, err.Error(), "access to the private repositories")
}

func TestCheckEmptySocket(t *testing.T) {
	_, err := Check("")

	require.ErrorIs(t, err, ErrNoSocket)
	assert.Contains(t, err.Error(), "SSH_AUTH_SOCK is unset")
	assert.Contains(t, err.Error(), `eval "$(ssh-agent -s)" && ssh-add ~/.ssh/id_ed25519`)
}

func TestCheckMissingSocket(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "agent.sock")

	_, err := Check(sock)

	require.ErrorIs(t, err, ErrUnreachable)
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "the SSH agent socket "+sock+" does not exist")
	assert.Contains(t, err.Error(), `eval "$(ssh-agent -s)"`)
}

func TestCheckRegularFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent.sock")
	require.NoError(t, os.WriteFile(path, nil, 0o600))

	_, err := Check(path)

	require.ErrorIs(t, err, ErrUnreachable)
	assert.Contains(t, err.Error(), path+" is a regular file, not a unix socket")
}

func TestCheckDirectory(t *testing.T) {
	dir := t.TempDir()

	_, err := Check(dir)

	require.ErrorIs(t, err, ErrUnreachable)
	assert.Contains(t, err.Error(), dir+" is a directory, not a unix socket")
}

// TestCheckConnectionRefused leaves the socket file of a closed listener
// behind, as an agent that was killed does.
func TestCheckConnectionRefused(t *testing.T) {
	listener, sock := listen(t)
	listener.SetUnlinkOnClose(false)
	require.NoError(t, listener.Close())

	_, err := Check(sock)

	require.ErrorIs(t, err, ErrUnreachable)
	assert.Contains(t, err.Error(), "nothing accepts connections on the SSH agent socket "+sock+" (connection refused)")
	assert.Contains(t, err.Error(), `eval "$(ssh-agent -s)"`)
}

func TestCheckHungAgent(t *testing.T) {
	listener, sock := listen(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	serve(listener, func(net.Conn) { <-release })
	timeout := 200 * time.Millisecond

	start := time.Now()
	_, err := check(sock, timeout)

	require.ErrorIs(t, err, ErrUnreachable)
	assert.Contains(t, err.Error(), "did not list its keys within 200ms")
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestCheckNotAnAgent(t *testing.T) {
	listener, sock := listen(t)
	serve(listener, func(conn net.Conn) { _, _ = conn.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n")) })

	_, err := Check(sock)

	require.ErrorIs(t, err, ErrUnreachable)
	assert.Contains(t, err.Error(), "listing the keys of the SSH agent at "+sock+" failed")
}

// TestCheckOpenSSHAgent runs the ssh-agent and ssh-add programs of
// OpenSSH (Debian package openssh-client), which must be installed.
func TestCheckOpenSSHAgent(t *testing.T) {
	agentPath, err := exec.LookPath("ssh-agent")
	require.NoError(t, err, "install OpenSSH's ssh-agent (Debian package openssh-client)")
	addPath, err := exec.LookPath("ssh-add")
	require.NoError(t, err, "install OpenSSH's ssh-add (Debian package openssh-client)")
	dir := t.TempDir()
	sock := filepath.Join(dir, "agent.sock")

	// -D keeps the agent in the foreground, so the test owns the process.
	cmd := exec.Command(agentPath, "-D", "-a", sock)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	require.Eventually(t, func() bool {
		info, err := os.Stat(sock)
		return err == nil && info.Mode().Type() == os.ModeSocket
	}, 10*time.Second, 20*time.Millisecond, "ssh-agent did not create its socket")

	keys, err := Check(sock)
	require.ErrorIs(t, err, ErrNoKeys)
	assert.Zero(t, keys)

	keyFile := writeEd25519Key(t, dir)
	add := exec.Command(addPath, keyFile)
	add.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
	out, err := add.CombinedOutput()
	require.NoError(t, err, "ssh-add: %s", out)

	keys, err = Check(sock)
	require.NoError(t, err)
	assert.Equal(t, 1, keys)
}

// writeEd25519Key writes a new ed25519 private key in OpenSSH format, with
// the permissions ssh-add requires, and returns its path.
func writeEd25519Key(t *testing.T, dir string) string {
	t.Helper()
	_, private, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	block, err := ssh.MarshalPrivateKey(private, "gearimage test")
	require.NoError(t, err)
	path := filepath.Join(dir, "id_ed25519")
	require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(block), 0o600))
	return path
}
