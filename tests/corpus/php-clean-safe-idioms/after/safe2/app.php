<?php
$file = escapeshellarg($_GET['f']);
exec("wc -l " . $file, $out);
$id = (int) $_GET['id'];
$rows = $pdo->query("SELECT * FROM posts WHERE id = " . $id);
$users = DB::select('SELECT * FROM users WHERE name = ?', [$request->name]);
$user = User::where('email', $request->email)->first();
echo htmlentities($_GET['q']);
$path = '/srv/files/' . basename($_GET['doc']);
readfile($path);
