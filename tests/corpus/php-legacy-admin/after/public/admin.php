<?php
require __DIR__ . '/../lib/db.php';

session_start();

function login(string $name, string $password): bool
{
    $hash = md5($password); // EXPECT: MD5 password hash
    $stmt = db()->prepare('SELECT id FROM admins WHERE name = ? AND password_hash = ?');
    $stmt->bind_param('ss', $name, $hash);
    $stmt->execute();
    return $stmt->get_result()->num_rows === 1;
}

function restore_cart(): array
{
    return unserialize(base64_decode($_COOKIE['cart'] ?? '')); // EXPECT: unserialize of a cookie
}

if ($_SERVER['REQUEST_METHOD'] === 'POST' && login($_POST['name'], $_POST['password'])) {
    $_SESSION['admin'] = true;
}

if (!empty($_SESSION['admin']) && isset($_POST['host'])) {
    $output = shell_exec('ping -c 3 ' . $_POST['host']); // EXPECT: command injection
    echo '<pre>' . htmlspecialchars($output, ENT_QUOTES, 'UTF-8') . '</pre>';
}

if (!empty($_SESSION['admin']) && isset($_POST['rule'])) {
    $rule = 'return ' . $_POST['rule'] . ';';
    $allowed = eval($rule); // EXPECT: eval of a posted rule
}

if (!empty($_SESSION['admin']) && isset($_GET['delete'])) {
    db()->query('DELETE FROM orders WHERE id = ' . $_GET['delete']); // EXPECT: SQL concatenation
}
