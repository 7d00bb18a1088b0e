package sshagent

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"golang.org/x/crypto/ssh/agent"
)

// Server is an SSH agent served from memory on a unix socket in a private
// temporary directory. The sample target forwards one when the user runs
// none, and the tests use it as the agent a build reaches.
type Server struct {
	// Socket is the path to set as SSH_AUTH_SOCK.
	Socket   string
	dir      string
	listener net.Listener
}

// Serve starts an agent holding keys and returns it. Close stops it and
// removes its socket.
func Serve(keys ...agent.AddedKey) (*Server, error) {
	keyring := agent.NewKeyring()
	for _, key := range keys {
		if err := keyring.Add(key); err != nil {
			return nil, fmt.Errorf("add key %q to the agent: %w", key.Comment, err)
		}
	}

	dir, err := os.MkdirTemp("", "gearimage-agent-")
	if err != nil {
		return nil, err
	}
	socket := filepath.Join(dir, "agent.sock")
	listener, err := net.Listen("unix", socket)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start an SSH agent on %s: %w", socket, err)
	}

	go func() {
		for {
			conn, err := listener.Accept()
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if err != nil {
				continue
			}
			go func() {
				defer conn.Close()
				_ = agent.ServeAgent(keyring, conn)
			}()
		}
	}()
	return &Server{Socket: socket, dir: dir, listener: listener}, nil
}

// Close stops the agent and removes its socket.
func (s *Server) Close() error {
	err := s.listener.Close()
	if rmErr := os.RemoveAll(s.dir); err == nil {
		err = rmErr
	}
	return err
}
