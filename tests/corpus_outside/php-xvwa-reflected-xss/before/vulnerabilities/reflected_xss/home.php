<div class="well">
<p>Enter your message here.</p>
</div>
