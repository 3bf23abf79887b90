<?php

function commands($dir) {
    // ruleid: php-command-injection
    system("ls " . $dir);
    // ruleid: php-command-injection
    $out = shell_exec($_GET['cmd']);
    // ok: php-command-injection
    system("ls -la");
    // ok: php-command-injection
    system("ls " . escapeshellarg($dir));
    $quoted = escapeshellarg($dir);
    // ok: php-command-injection
    exec("wc -l " . $quoted, $lines);
}

function evals($code) {
    // ruleid: php-eval-injection
    eval($code);
    // ruleid: php-eval-injection
    assert("strlen(" . $code . ") > 0");
    // ok: php-eval-injection
    eval("return 1;");
    // ok: php-eval-injection
    assert($count > 0);
}

function loading($cookie) {
    // ruleid: php-unserialize-untrusted
    $prefs = unserialize($cookie);
    // ok: php-unserialize-untrusted
    $data = json_decode($cookie, true);
    // ok: php-unserialize-untrusted
    $safe = unserialize($cookie, ['allowed_classes' => false]);
}

function queries($pdo, $conn, $id) {
    // ruleid: php-sql-concatenation
    $pdo->query("SELECT * FROM users WHERE id = " . $id);
    // ruleid: php-sql-concatenation
    mysqli_query($conn, "DELETE FROM users WHERE id = $id");
    // ok: php-sql-concatenation
    $stmt = $pdo->prepare("SELECT * FROM users WHERE id = ?");
    // ok: php-sql-concatenation
    $logger->info("user " . $id);
    $number = (int) $id;
    // ok: php-sql-concatenation
    $pdo->query("SELECT * FROM users WHERE id = " . $number);
    // ok: php-sql-concatenation
    $pdo->query("SELECT * FROM users WHERE id = " . intval($id));
}

function pages($name) {
    // ruleid: php-echo-request-xss
    echo $_GET['name'];
    // ok: php-echo-request-xss
    echo htmlspecialchars($_GET['name'], ENT_QUOTES, 'UTF-8');
}

function passwords($password) {
    // ruleid: php-md5-password
    $hash = md5($password);
    // ok: php-md5-password
    $etag = md5($body);
    // ok: php-md5-password
    $good = password_hash($password, PASSWORD_DEFAULT);
}

function ping_checked($target) {
    $octet = explode(".", $target);
    if (is_numeric($octet[0]) && is_numeric($octet[1]) && sizeof($octet) == 2) {
        // ok: php-command-injection
        return shell_exec('ping -c 4 ' . $octet[0] . '.' . $octet[1]);
    }
    // ruleid: php-command-injection
    return shell_exec('ping -c 4 ' . $target);
}
