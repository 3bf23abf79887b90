<?php
require __DIR__ . '/../lib/db.php';

// Pre-existing: the search box is echoed back unescaped (not touched by this change).
echo $_GET['q'];

$stmt = db()->prepare('SELECT id, name FROM users WHERE active = 1 ORDER BY name');
$stmt->execute();
foreach ($stmt->get_result() as $row) {
    printf("<li>%s</li>\n", htmlspecialchars($row['name'], ENT_QUOTES, 'UTF-8'));
}

if (isset($_GET['group'])) {
    $group = $_GET['group'];
    $members = db()->query("SELECT id, name FROM users WHERE team = '$group'"); // EXPECT: SQL injection by interpolation
    foreach ($members as $row) {
        printf("<li>%s</li>\n", htmlspecialchars($row['name'], ENT_QUOTES, 'UTF-8'));
    }
}

if (isset($_GET['page'])) {
    echo "<p>Page " . (int) $_GET['page'] . "</p>";
    echo $_GET['page']; // EXPECT: reflected XSS
}
