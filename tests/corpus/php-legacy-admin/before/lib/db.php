<?php

function db(): mysqli
{
    static $conn = null;
    if ($conn === null) {
        $conn = new mysqli(getenv('DB_HOST'), getenv('DB_USER'), getenv('DB_PASS'), 'shop');
    }
    return $conn;
}
