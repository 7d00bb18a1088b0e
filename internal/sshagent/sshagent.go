// Package sshagent checks, before a build starts, that the SSH agent which
// BuildKit forwards to the build (as SSH id "default") is reachable and has
// at least one key, so that mix deps.get can fetch private git repositories.
package sshagent

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	"golang.org/x/crypto/ssh/agent"
)

// Timeout bounds connecting to the agent and listing its keys, each, so that
// a hung agent cannot stop the build tool.
const Timeout = 5 * time.Second

// startAgent is the shell command that starts an agent and adds the usual
// key.
const startAgent = `eval "$(ssh-agent -s)" && ssh-add ~/.ssh/id_ed25519`

// Sentinel errors that classify the errors of Check.
var (
	ErrNoSocket    = errors.New("no SSH agent socket")
	ErrUnreachable = errors.New("SSH agent unreachable")
	ErrNoKeys      = errors.New("SSH agent has no keys")
)

// Check connects to the SSH agent listening on the unix socket sock and
// returns the number of keys it has. It fails when sock is empty, does not
// exist or is not a socket, when nothing accepts the connection, when the
// agent does not return its key list within Timeout, and when the agent has
// no key. Each error message ends with the fix.
func Check(sock string) (keys int, err error) {
	return check(sock, Timeout)
}

func check(sock string, timeout time.Duration) (int, error) {
	if sock == "" {
		return 0, fmt.Errorf("%w: SSH_AUTH_SOCK is unset, so no SSH agent can be forwarded to the build; start an agent and add a key with access to the private repositories: %s",
			ErrNoSocket, startAgent)
	}
	if err := checkSocketFile(sock); err != nil {
		return 0, err
	}

	conn, err := net.DialTimeout("unix", sock, timeout)
	if err != nil {
		return 0, dialError(sock, err)
	}
	defer conn.Close()

	deadline := time.Now().Add(timeout)
	if err := conn.SetDeadline(deadline); err != nil {
		return 0, fmt.Errorf("%w: setting a deadline on the connection to %s failed: %w", ErrUnreachable, sock, err)
	}
	list, err := agent.NewClient(conn).List()
	if err != nil {
		// The agent client formats the read error with %v, so errors.Is
		// cannot find os.ErrDeadlineExceeded; the clock can.
		if !time.Now().Before(deadline) {
			return 0, fmt.Errorf("%w: the SSH agent at %s did not list its keys within %v; restart it with %s: %w",
				ErrUnreachable, sock, timeout, startAgent, err)
		}
		return 0, fmt.Errorf("%w: listing the keys of the SSH agent at %s failed; check that the socket belongs to an SSH agent, or start a new one with %s: %w",
			ErrUnreachable, sock, startAgent, err)
	}
	if len(list) == 0 {
		return 0, fmt.Errorf("%w: %s; add a key with access to the private repositories, for example with ssh-add ~/.ssh/id_ed25519",
			ErrNoKeys, sock)
	}
	return len(list), nil
}

// checkSocketFile rejects a path that is missing or not a unix socket
// before dialing, because the error from connect would be vaguer.
func checkSocketFile(sock string) error {
	info, err := os.Stat(sock)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%w: the SSH agent socket %s does not exist, so the agent that created it has probably exited; start a new agent and add your key with %s: %w",
			ErrUnreachable, sock, startAgent, err)
	case errors.Is(err, os.ErrPermission):
		return fmt.Errorf("%w: permission denied reaching the SSH agent socket %s; run the build as the user that started the agent: %w",
			ErrUnreachable, sock, err)
	case err != nil:
		return fmt.Errorf("%w: checking the SSH agent socket %s failed: %w", ErrUnreachable, sock, err)
	case info.Mode().Type() != os.ModeSocket:
		return fmt.Errorf("%w: %s is %s, not a unix socket; set SSH_AUTH_SOCK to the socket of a running agent, which %s prints",
			ErrUnreachable, sock, describeType(info.Mode()), startAgent)
	}
	return nil
}

func dialError(sock string, err error) error {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("%w: nothing accepts connections on the SSH agent socket %s (connection refused), so the agent has exited; start a new agent and add your key with %s: %w",
			ErrUnreachable, sock, startAgent, err)
	case errors.Is(err, os.ErrPermission):
		return fmt.Errorf("%w: permission denied connecting to the SSH agent socket %s; run the build as the user that started the agent: %w",
			ErrUnreachable, sock, err)
	case isTimeout(err):
		return fmt.Errorf("%w: connecting to the SSH agent socket %s timed out; restart the agent with %s: %w",
			ErrUnreachable, sock, startAgent, err)
	}
	return fmt.Errorf("%w: connecting to the SSH agent socket %s failed: %w", ErrUnreachable, sock, err)
}

func isTimeout(err error) bool {
	var netErr net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout()
}

func describeType(mode os.FileMode) string {
	switch {
	case mode.IsRegular():
		return "a regular file"
	case mode.IsDir():
		return "a directory"
	case mode&os.ModeNamedPipe != 0:
		return "a named pipe"
	case mode&os.ModeDevice != 0:
		return "a device"
	}
	return "a file of type " + mode.Type().String()
}
