package testsecret

import (
	"bytes"
	"encoding/json"
	"testing"
)

func FuzzParse(f *testing.F) {
	seeds := []string{
		validDoc,
		`{"db":{"hostname":"localhost"}}`,
		`{"db":{"hostname":"local\u0068ost","password":"x"},"db2":[1,2,{"a":"b"}]}`,
		"{ \"db\" :\n{ \"hostname\" : \"[::1]\" } }",
		`{"db":{"hostname":"127.1"},"db":{"hostname":"::1"}}`,
		`{"db":{"hostname":5}}`,
		`{"db":[]}`,
		`[]`,
		`{"db":{"hostname":"h"`,
		"\xef\xbb\xbf{}",
		"",
		" ",
	}
	for _, seed := range seeds {
		f.Add([]byte(seed))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		secret, err := Parse(data)
		if err != nil {
			if secret != nil {
				t.Fatalf("Parse returned a Secret together with the error %v", err)
			}
			return
		}

		out := secret.Bytes()
		if !json.Valid(out) {
			t.Fatalf("output is not valid JSON: %q", out)
		}
		if !secret.Rewritten() {
			if !bytes.Equal(out, data) {
				t.Fatalf("document changed without a rewrite:\n in: %q\nout: %q", data, out)
			}
			return
		}

		if secret.Hostname() != HostDockerInternal {
			t.Fatalf("Hostname() = %q after a rewrite", secret.Hostname())
		}
		if !IsLoopback(secret.OriginalHostname()) {
			t.Fatalf("rewrote the non-loopback host %q", secret.OriginalHostname())
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("rewritten document fails to parse: %v", err)
		}
		if again.Rewritten() || again.Hostname() != HostDockerInternal {
			t.Fatalf("rewritten document parses to hostname %q, rewritten %t", again.Hostname(), again.Rewritten())
		}

		// Only the hostname token may differ: the input and output share a
		// prefix that ends at its opening quote and a suffix that starts at
		// its closing quote.
		token := []byte(`"` + HostDockerInternal + `"`)
		start := bytes.Index(out, token)
		for start >= 0 {
			end := start + len(token)
			prefix, suffix := out[:start], out[end:]
			if bytes.HasPrefix(data, prefix) && bytes.HasSuffix(data, suffix) && len(prefix)+len(suffix) < len(data) {
				return
			}
			next := bytes.Index(out[start+1:], token)
			if next < 0 {
				break
			}
			start += 1 + next
		}
		t.Fatalf("rewrite changed more than the hostname token:\n in: %q\nout: %q", data, out)
	})
}
