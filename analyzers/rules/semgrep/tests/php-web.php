<?php

$page = $_GET['page'];
// ruleid: php-taint-file-inclusion
include($page);
// ruleid: php-taint-file-inclusion
require_once 'pages/' . $_GET['lang'] . '.php';
// ok: php-taint-file-inclusion
include 'pages/' . basename('home') . '.php';

$target = $_REQUEST['ip'];
// ruleid: php-taint-command-injection
$out = shell_exec('ping -c 4 ' . $target);
// ok: php-taint-command-injection
$out2 = shell_exec('ping -c 4 ' . escapeshellarg($target));

$id = $_GET['id'];
// ruleid: php-taint-sql-injection
$result = mysqli_query($conn, "SELECT first_name FROM users WHERE user_id = '$id';");
// ruleid: php-taint-sql-injection
$rows = $pdo->query("SELECT * FROM users WHERE id = " . $id);
$stmt = $pdo->prepare('SELECT * FROM users WHERE id = ?');
// ok: php-taint-sql-injection
$stmt->execute([$id]);
// ok: php-taint-sql-injection
$rows2 = $pdo->query("SELECT * FROM users WHERE id = " . intval($id));

$name = $_GET['name'];
// ruleid: php-taint-xss
echo '<pre>Hello ' . $name . '</pre>';
// ok: php-taint-xss
echo '<pre>Hello ' . htmlspecialchars($name, ENT_QUOTES, 'UTF-8') . '</pre>';

$file = $_GET['file'];
// ruleid: php-taint-path-traversal
readfile('/var/www/files/' . $file);
// ok: php-taint-path-traversal
readfile('/var/www/files/' . basename($file));

$url = $_POST['url'];
$ch = curl_init();
// ruleid: php-taint-ssrf
curl_setopt($ch, CURLOPT_URL, $url);
// ok: php-taint-ssrf
curl_setopt($ch, CURLOPT_URL, 'https://api.example.com/items/' . urlencode($url));

// ruleid: php-taint-open-redirect
header('Location: ' . $_GET['redirect']);
// ok: php-taint-open-redirect
header('Location: /index.php');

// ruleid: php-taint-code-injection
eval('$x = ' . $_POST['expr'] . ';');
// ok: php-taint-code-injection
eval('$x = ' . intval($_POST['expr']) . ';');

// ruleid: php-taint-deserialization
$prefs = unserialize($_COOKIE['prefs']);
// ok: php-taint-deserialization
$prefs2 = json_decode($_COOKIE['prefs'], true);

$doc = new DOMDocument();
// ruleid: php-xxe-entity-loading
$doc->loadXML(file_get_contents('php://input'), LIBXML_NOENT | LIBXML_DTDLOAD);
// ok: php-xxe-entity-loading
$doc->loadXML(file_get_contents('php://input'));

// ruleid: php-tls-verification-disabled
curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, false);
// ok: php-tls-verification-disabled
curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, true);

// --- framework sink APIs from each framework's documentation ----------------------------------

class PageController extends AbstractController
{
    public function show(Request $request): Response
    {
        $name = $request->attributes->get('name');
        $next = $request->cookies->get('next');
        if ($next === '/home') {
            // ok: php-taint-open-redirect
            return $this->redirect($next);
        }
        // ruleid: php-taint-open-redirect
        $away = $this->redirect($next);
        // ruleid: php-taint-path-traversal
        $file = new BinaryFileResponse('/srv/files/' . $name);
        // ok: php-taint-xss
        $data = new Response(json_encode(['name' => $name]), 200, ['Content-Type' => 'application/json']);
        // ruleid: php-taint-xss
        return new Response('<p>' . $name . '</p>');
    }
}

function laravelRoutes(Request $request, $httpClient, $cache)
{
    // ruleid: php-taint-open-redirect
    $back = Redirect::to($request->next);
    // ruleid: php-taint-path-traversal
    $dl = response()->download(storage_path('exports/' . $request->input('file')));
    // ruleid: php-taint-ssrf
    $res = $httpClient->post($request->query('hook'));
    // ok: php-taint-ssrf
    $cache->put($request->query('key'), 1);
    // ruleid: php-taint-xss
    return response("<h1>{$request->name}</h1>");
}

// A record looked up with request data is stored data, not the request's.
function showPost(Request $request, $pdo)
{
    $stmt = $pdo->prepare('SELECT title FROM posts WHERE id = ?');
    $stmt->execute([$request->input('id')]);
    $post = $stmt->fetch();
    // ok: php-taint-xss
    echo '<h1>' . $post['title'] . '</h1>';
    $user = User::where('name', $request->input('name'))->first();
    // ok: php-taint-xss
    echo $user->bio;
    // ruleid: php-taint-xss
    echo '<p>' . $request->input('name') . '</p>';
}

function callbacksAndVariables(Request $request)
{
    $fn = $_GET['callback'];
    // ruleid: php-taint-code-injection
    $fn($request);
    $class = $request->input('type');
    // ruleid: php-taint-code-injection
    $handler = new $class();
    // ruleid: php-taint-code-injection
    $names = array_map($_POST['transform'], ['a', 'b']);
    // ok: php-taint-code-injection
    $upper = array_map('strtoupper', [$_POST['name']]);
    $known = ['csv' => 'exportCsv', 'json' => 'exportJson'];
    $export = $known[$_GET['format']] ?? 'exportJson';
    // ok: php-taint-code-injection
    $export($request);
    // ruleid: php-taint-variable-overwrite
    extract($_GET);
    // ruleid: php-taint-variable-overwrite
    extract($request->all(), EXTR_SKIP);
    // ruleid: php-taint-variable-overwrite
    parse_str($_SERVER['QUERY_STRING']);
    // ok: php-taint-variable-overwrite
    parse_str($_SERVER['QUERY_STRING'], $query);
    // ok: php-taint-variable-overwrite
    extract($_POST, EXTR_PREFIX_ALL, 'form');
    // ok: php-taint-variable-overwrite
    extract(['title' => 'Home']);
}

class Welcome extends CI_Controller
{
    public function index()
    {
        $name = $this->input->get('name');
        // ruleid: php-taint-sql-injection
        $this->db->query("SELECT * FROM users WHERE name = '" . $name . "'");
        // ok: php-taint-sql-injection
        $this->db->query('SELECT * FROM users WHERE name = ?', [$name]);
        // ruleid: php-taint-xss
        echo $this->input->post('message');
        // ok: php-taint-xss
        echo html_escape($this->input->post('message'));
        // ok: php-taint-xss
        echo esc($this->request->getGet('q'));
        // ok: php-taint-ssrf
        $page = $this->input->get('page');
    }
}

function wordpressSearch()
{
    global $wpdb;
    // ruleid: php-taint-sql-injection
    $rows = $wpdb->get_results("SELECT * FROM wp_posts WHERE post_title = '" . $_GET['t'] . "'");
    // ok: php-taint-sql-injection
    $safe = $wpdb->get_results($wpdb->prepare('SELECT * FROM wp_posts WHERE post_title = %s', $_GET['t']));
    return [$rows, $safe];
}
