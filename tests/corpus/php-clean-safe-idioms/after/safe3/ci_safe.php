<?php
class Safe extends CI_Controller
{
    public function index()
    {
        $name = $this->input->get('name');
        echo html_escape($name);
        $this->db->query('SELECT * FROM users WHERE name = ?', [$name]);
        $this->db->where('name', $name)->get('users');
        redirect('welcome/index');
    }
}

class Safe4 extends BaseController
{
    public function show()
    {
        $q = $this->request->getGet('q');
        echo esc($q);
        return $this->response->setJSON(['q' => $q]);
    }
}
