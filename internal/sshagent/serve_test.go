package sshagent

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh/agent"
)

func TestServeOffersItsKeys(t *testing.T) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	server, err := Serve(agent.AddedKey{PrivateKey: key, Comment: "served"})
	require.NoError(t, err)

	keys, err := Check(server.Socket)
	require.NoError(t, err)
	assert.Equal(t, 1, keys)

	require.NoError(t, server.Close())
	_, err = os.Stat(server.Socket)
	assert.True(t, os.IsNotExist(err), "the socket is left after Close")
}

func TestServeWithoutKeys(t *testing.T) {
	server, err := Serve()
	require.NoError(t, err)
	defer server.Close()

	_, err = Check(server.Socket)
	assert.ErrorIs(t, err, ErrNoKeys)
}
