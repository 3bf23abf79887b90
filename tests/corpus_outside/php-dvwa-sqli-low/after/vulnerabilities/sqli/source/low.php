<?php

$html = '';

if( isset( $_REQUEST[ 'Submit' ] ) ) {
	// Get input
	$id = $_REQUEST[ 'id' ];

	$id = mysqli_real_escape_string($GLOBALS["___mysqli_ston"],  $id );

	// Check database
	$query  = "SELECT first_name, last_name FROM users WHERE user_id = $id;";
	$result = mysqli_query($GLOBALS["___mysqli_ston"],  $query ) or die( '<pre>' . mysqli_error($GLOBALS["___mysqli_ston"]) . '</pre>' ); // EXPECT SQL injection

	// Get results
	while( $row = mysqli_fetch_assoc( $result ) ) {
		$first = $row["first_name"];
		$last  = $row["last_name"];
		$html .= "<pre>First name: {$first}<br />Surname: {$last}</pre>";
	}

	mysqli_close($GLOBALS["___mysqli_ston"]);
}

?>
