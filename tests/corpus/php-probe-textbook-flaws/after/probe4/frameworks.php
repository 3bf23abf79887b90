<?php
use Symfony\Component\HttpFoundation\Request;
use Symfony\Component\HttpFoundation\Response;

class Ctl
{
    public function hello(Request $request)
    {
        return new Response('<h1>' . $request->query->get('name') . '</h1>'); // EXPECT xss
    }
}

class Welcome extends CI_Controller
{
    public function index()
    {
        $name = $this->input->get('name');
        $this->db->query("SELECT * FROM users WHERE name = '" . $name . "'"); // EXPECT sqli
        echo $this->input->get('msg'); // EXPECT xss
    }
}

function wp_handler()
{
    global $wpdb;
    $rows = $wpdb->get_results("SELECT * FROM wp_posts WHERE post_title = '" . $_GET['t'] . "'"); // EXPECT sqli
    echo $_REQUEST['q']; // EXPECT xss
}
