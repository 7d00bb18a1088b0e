// Package engine is the only code that talks to the Docker Engine API. The
// rest of the program uses Client and its small option and result types, so
// API negotiation, BuildKit sessions and progress decoding stay here.
package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/docker/docker/client"
)

// defaultHost is the address the Docker client library uses when DOCKER_HOST
// is unset on Linux.
const defaultHost = "unix:///var/run/docker.sock"

// pingTimeout bounds the reachability check, so a dead TCP address fails
// fast instead of hanging every target.
const pingTimeout = 10 * time.Second

// Client is a connection to one Docker Engine.
type Client struct {
	api *client.Client
}

// New creates a client from the environment (DOCKER_HOST, DOCKER_TLS_VERIFY,
// DOCKER_CERT_PATH, DOCKER_API_VERSION) with API version negotiation, so
// older engines work too. It does not contact the engine; Ping does.
func New() (*Client, error) {
	api, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("invalid Docker client settings (DOCKER_HOST=%q): %w; set DOCKER_HOST to the engine address, for example unix:///var/run/docker.sock", os.Getenv("DOCKER_HOST"), err)
	}
	return &Client{api: api}, nil
}

// Close releases the connections of the client.
func (c *Client) Close() error {
	return c.api.Close()
}

// Host returns the engine address the client dials.
func (c *Client) Host() string {
	if h := c.api.DaemonHost(); h != "" {
		return h
	}
	return defaultHost
}

// Ping checks that the engine is reachable and negotiates the API version. The
// error names the address that was tried and how to point DOCKER_HOST at
// another one.
func (c *Client) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()

	if _, err := c.api.Ping(ctx); err != nil {
		return &UnreachableError{Host: c.Host(), Err: err}
	}
	c.api.NegotiateAPIVersion(ctx)
	return nil
}

// APIVersion returns the negotiated Engine API version, such as "1.41".
func (c *Client) APIVersion() string {
	return c.api.ClientVersion()
}

// UnreachableError reports an engine that could not be reached.
type UnreachableError struct {
	Host string
	Err  error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach the Docker Engine at %s (%v); start the engine, or set DOCKER_HOST to the address of a running one (for example DOCKER_HOST=unix:///run/user/1000/docker.sock for rootless Docker)", e.Host, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// IsUnreachable reports whether err is an UnreachableError.
func IsUnreachable(err error) bool {
	var u *UnreachableError
	return errors.As(err, &u)
}
