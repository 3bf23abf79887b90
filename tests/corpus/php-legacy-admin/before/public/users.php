<?php
require __DIR__ . '/../lib/db.php';

// Pre-existing: the search box is echoed back unescaped (not touched by this change).
echo $_GET['q'];

$stmt = db()->prepare('SELECT id, name FROM users WHERE active = 1 ORDER BY name');
$stmt->execute();
foreach ($stmt->get_result() as $row) {
    printf("<li>%s</li>\n", htmlspecialchars($row['name'], ENT_QUOTES, 'UTF-8'));
}
