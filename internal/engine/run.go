package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/pkg/stdcopy"
	"github.com/moby/term"
)

// stopGrace is how long a container may take to exit after it was sent
// SIGINT before it is killed. Mage waits 5 seconds after Ctrl-C, so this
// stays below that.
const stopGrace = 3 * time.Second

// RunOptions describe one container run.
type RunOptions struct {
	Image string
	Cmd   []string
	// Env is NAME=value entries. Values may be secrets: they are set in
	// the container's configuration and never logged here.
	Env        []string
	ExtraHosts []string
	// TTY attaches a pseudo-terminal; Stdin must then be the terminal.
	TTY    bool
	Stdin  *os.File
	Stdout io.Writer
	Stderr io.Writer
}

// RunResult is the exit status of a container and the way it stopped.
type RunResult struct {
	ExitCode int
	// Killed is set when the container ignored SIGINT for stopGrace after
	// an interrupt and was sent SIGKILL.
	Killed bool
}

// Run creates a container from opts, streams its output, waits for it and
// removes it. When ctx is cancelled, as by Ctrl-C, the container gets
// SIGINT, then SIGKILL after a short grace period; how it ended is still
// returned.
func (c *Client) Run(ctx context.Context, opts RunOptions) (RunResult, error) {
	cfg := &container.Config{
		Image:        opts.Image,
		Cmd:          opts.Cmd,
		Env:          opts.Env,
		Tty:          opts.TTY,
		OpenStdin:    opts.TTY,
		StdinOnce:    opts.TTY,
		AttachStdin:  opts.TTY,
		AttachStdout: true,
		AttachStderr: true,
	}
	hostCfg := &container.HostConfig{ExtraHosts: opts.ExtraHosts}
	created, err := c.api.ContainerCreate(ctx, cfg, hostCfg, nil, nil, "")
	if err != nil {
		return RunResult{}, fmt.Errorf("create container from %s: %w", opts.Image, err)
	}
	id := created.ID
	defer c.removeContainer(id)

	attach, err := c.api.ContainerAttach(ctx, id, container.AttachOptions{Stream: true, Stdin: opts.TTY, Stdout: true, Stderr: true})
	if err != nil {
		return RunResult{}, fmt.Errorf("attach to container %s: %w", shortID(id), err)
	}
	defer attach.Close()

	if opts.TTY && opts.Stdin != nil {
		restore, err := rawTerminal(opts.Stdin)
		if err != nil {
			return RunResult{}, err
		}
		defer restore()
		go func() { _, _ = io.Copy(attach.Conn, opts.Stdin) }()
	}

	copied := make(chan error, 1)
	go func() {
		var err error
		if opts.TTY {
			_, err = io.Copy(opts.Stdout, attach.Reader)
		} else {
			_, err = stdcopy.StdCopy(opts.Stdout, opts.Stderr, attach.Reader)
		}
		copied <- err
	}()

	// The wait starts before the container does, so a quick exit is not
	// missed.
	waitCtx := context.WithoutCancel(ctx)
	statusCh, errCh := c.api.ContainerWait(waitCtx, id, container.WaitConditionNextExit)
	// An interrupt during the start must not abandon a container that is
	// already running, so the start is not cancelled. The select below
	// stops the container instead.
	if err := c.api.ContainerStart(waitCtx, id, container.StartOptions{}); err != nil {
		return RunResult{}, fmt.Errorf("start container from %s: %w", opts.Image, err)
	}
	if opts.TTY && opts.Stdin != nil {
		c.resizeTTY(ctx, id, opts.Stdin)
	}

	var result RunResult
	select {
	case status := <-statusCh:
		result.ExitCode = int(status.StatusCode)
	case err := <-errCh:
		return RunResult{}, fmt.Errorf("wait for container %s: %w", shortID(id), err)
	case <-ctx.Done():
		result, err = c.stopContainer(id, statusCh, errCh)
		if err != nil {
			return RunResult{}, err
		}
	}
	<-copied
	return result, nil
}

// stopContainer forwards an interrupt: SIGINT first, SIGKILL when the
// container has not exited within stopGrace.
func (c *Client) stopContainer(id string, statusCh <-chan container.WaitResponse, errCh <-chan error) (RunResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), stopGrace+2*time.Second)
	defer cancel()

	_ = c.api.ContainerKill(ctx, id, "SIGINT")
	select {
	case status := <-statusCh:
		return RunResult{ExitCode: int(status.StatusCode)}, nil
	case err := <-errCh:
		return RunResult{}, fmt.Errorf("wait for container %s: %w", shortID(id), err)
	case <-time.After(stopGrace):
	}
	_ = c.api.ContainerKill(ctx, id, "SIGKILL")
	select {
	case status := <-statusCh:
		return RunResult{ExitCode: int(status.StatusCode), Killed: true}, nil
	case err := <-errCh:
		return RunResult{}, fmt.Errorf("wait for container %s: %w", shortID(id), err)
	case <-ctx.Done():
		return RunResult{}, errors.New("container did not stop after SIGKILL")
	}
}

func (c *Client) removeContainer(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = c.api.ContainerRemove(ctx, id, container.RemoveOptions{Force: true})
}

func (c *Client) resizeTTY(ctx context.Context, id string, f *os.File) {
	size, err := term.GetWinsize(f.Fd())
	if err != nil || size.Height == 0 {
		return
	}
	_ = c.api.ContainerResize(ctx, id, container.ResizeOptions{Height: uint(size.Height), Width: uint(size.Width)})
}

// rawTerminal puts f in raw mode, so keys such as Ctrl-C reach the
// container's terminal, and returns the function that restores it.
func rawTerminal(f *os.File) (func(), error) {
	state, err := term.SetRawTerminal(f.Fd())
	if err != nil {
		return nil, fmt.Errorf("set terminal to raw mode: %w", err)
	}
	return func() { _ = term.RestoreTerminal(f.Fd(), state) }, nil
}

// IsTerminalWriter reports whether w is a file that is a terminal, as the
// tty progress display needs.
func IsTerminalWriter(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && IsTerminal(f)
}

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool {
	return f != nil && term.IsTerminal(f.Fd())
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// ContainersOf returns the IDs of the containers, running or not, created
// from image.
func (c *Client) ContainersOf(ctx context.Context, image string) ([]string, error) {
	list, err := c.api.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("ancestor", image))})
	if err != nil {
		return nil, fmt.Errorf("list containers of %s: %w", image, err)
	}
	ids := make([]string, len(list))
	for i, ctr := range list {
		ids[i] = ctr.ID
	}
	return ids, nil
}
