<?php
error_reporting(E_ALL);
class PHPObjectInjection{
    public $inject;

    function __construct(){
    }

    function __wakeup(){
        if(isset($this->inject)){
            eval($this->inject);
        }
    }
}
if(isset($_REQUEST['r'])){
    $var1=unserialize($_REQUEST['r']); // EXPECT deserialization of request data
    if(is_array($var1)){
        echo "<br/>".htmlspecialchars($var1[0])." - ".htmlspecialchars($var1[1]);
    }
}else{
    echo "parameter is missing";
}
