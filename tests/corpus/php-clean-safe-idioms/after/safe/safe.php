<?php
$pdo = new PDO('sqlite:app.db');
$stmt = $pdo->prepare('SELECT * FROM users WHERE name = ?');
$stmt->execute([$_GET['name']]);
echo htmlspecialchars($_GET['name'], ENT_QUOTES, 'UTF-8');
$id = intval($_GET['id']);
$pdo->query("SELECT * FROM posts WHERE id = " . $id);
$file = basename($_GET['file']);
readfile('/srv/files/' . $file);
echo json_encode(['q' => $_GET['q']]);
$n = (int) $_GET['n'];
echo "<b>$n</b>";
header('Location: /home');
