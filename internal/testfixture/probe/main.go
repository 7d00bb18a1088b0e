// Command probe runs inside the fixture images of the integration tests. The
// fixture Dockerfiles are FROM scratch, so their RUN steps call this static
// binary in exec form instead of a shell. Each subcommand records what it
// saw in a file of the image, where the test reads it back.
//
// The probe never writes a secret's content anywhere: it records only facts
// about it (the host name it names, whether a dial succeeded).
package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/term"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: probe write|mkdir|env|secret|ssh-agent|dial|sleep|wait-signal|tty|printenv|args|cat ARGS...")
	}
	args := os.Args[2:]

	var err error
	switch os.Args[1] {
	case "write":
		err = write(args[0], strings.Join(args[1:], " "))
	case "mkdir":
		for _, dir := range args {
			if err = os.MkdirAll(dir, 0o755); err != nil {
				break
			}
		}
	case "env":
		err = recordEnv(args[0], args[1:])
	case "secret":
		err = checkSecret(args[0], args[1])
	case "ssh-agent":
		err = listAgentKeys(args[0])
	case "dial":
		err = dial(args[0], args[1])
	case "sleep":
		var d time.Duration
		d, err = time.ParseDuration(args[0])
		time.Sleep(d)
	case "printenv":
		fmt.Println(os.Getenv(args[0]))
	case "args":
		fmt.Printf("%q\n", args)
	case "wait-signal":
		err = waitForInterrupt()
	case "tty":
		fmt.Printf("stdin is a terminal: %v\n", term.IsTerminal(int(os.Stdin.Fd())))
		err = waitForInterrupt()
	case "cat":
		var data []byte
		data, err = os.ReadFile(args[0])
		os.Stdout.Write(data)
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		fail(err.Error())
	}
}

// waitForInterrupt prints a line, waits up to a minute for SIGINT and exits
// with status 130, as a shell does when Ctrl-C ends it.
func waitForInterrupt() error {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt)
	fmt.Println("waiting for SIGINT")
	select {
	case <-signals:
		fmt.Println("got SIGINT")
		os.Exit(130)
	case <-time.After(time.Minute):
	}
	return fmt.Errorf("no SIGINT within a minute")
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "probe:", msg)
	os.Exit(1)
}

func write(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(content), 0o644)
}

// recordEnv writes NAME=VALUE lines for the named variables, sorted, so the
// test can check which build args arrived.
func recordEnv(path string, names []string) error {
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		v, ok := os.LookupEnv(n)
		if !ok {
			v = "<unset>"
		}
		fmt.Fprintf(&b, "%s=%s\n", n, v)
	}
	return write(path, b.String())
}

// checkSecret reads the test secret, dials db.hostname:db.port and records
// the host name and the dial result, never the secret itself.
func checkSecret(secretPath, resultPath string) error {
	data, err := os.ReadFile(secretPath)
	if err != nil {
		return fmt.Errorf("read secret: %w", err)
	}
	var doc struct {
		DB struct {
			Hostname string `json:"hostname"`
			Port     int    `json:"port"`
		} `json:"db"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("secret is not JSON: %w", err)
	}

	result := "hostname=" + doc.DB.Hostname + "\n"
	if doc.DB.Port != 0 {
		addr := net.JoinHostPort(doc.DB.Hostname, fmt.Sprint(doc.DB.Port))
		reply, err := exchange(addr)
		if err != nil {
			return err
		}
		result += "reply=" + reply + "\n"
	}
	return write(resultPath, result)
}

// dial connects to addr, reads one line and records it.
func dial(addr, resultPath string) error {
	reply, err := exchange(addr)
	if err != nil {
		return err
	}
	return write(resultPath, reply)
}

func exchange(addr string) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return "", fmt.Errorf("dial %s: %w", addr, err)
	}
	defer conn.Close()

	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 256)
	n, err := conn.Read(buf)
	if err != nil {
		return "", fmt.Errorf("read from %s: %w", addr, err)
	}
	return strings.TrimSpace(string(buf[:n])), nil
}

// listAgentKeys records the comments of the keys the forwarded agent offers.
func listAgentKeys(resultPath string) error {
	sock := os.Getenv("SSH_AUTH_SOCK")
	if sock == "" {
		return fmt.Errorf("SSH_AUTH_SOCK is not set: no agent was forwarded")
	}
	conn, err := net.Dial("unix", sock)
	if err != nil {
		return fmt.Errorf("connect to agent %s: %w", sock, err)
	}
	defer conn.Close()

	keys, err := agent.NewClient(conn).List()
	if err != nil {
		return fmt.Errorf("list agent keys: %w", err)
	}
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintln(&b, k.Comment)
	}
	return write(resultPath, b.String())
}
