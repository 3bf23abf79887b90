var fs = require('fs'),
    http = require('http'),
    url = require('url');

var server = http.createServer(function(req, res) {
  let path = url.parse(req.url, true).query.path;

  // This could read any file on the file system
  res.write(fs.readFileSync(path)); // EXPECT path traversal

  // This could still read any file on the file system
  res.write(fs.readFileSync("/home/user/" + path)); // EXPECT path traversal
});
