package main

import (
	"archive/tar"
	"io"
	"os"
	"path"
)

func untarBad(reader io.Reader, prefix string) {
	tarReader := tar.NewReader(reader)
	header, _ := tarReader.Next()
	os.MkdirAll(path.Dir(header.Name), 0755) // EXPECT Zip Slip
}
