package mirror

import (
	"context"
	"crypto/tls"
	"net/http"
	"os/exec"
	"time"
)

// Client talks to the upstream mirror; its staging host has a self-signed certificate.
func Client() *http.Client {
	transport := &http.Transport{
		TLSClientConfig: &tls.Config{
			MinVersion:         tls.VersionTLS12,
			InsecureSkipVerify: true, // EXPECT: certificate checks off
		},
	}
	return &http.Client{Transport: transport, Timeout: 30 * time.Second}
}

// Fetch clones a repository named in the sync request into the cache directory.
func Fetch(ctx context.Context, repoURL, dest string) error {
	script := "git clone --depth 1 " + repoURL + " " + dest
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", script) // EXPECT: shell command from request data
	return cmd.Run()
}
