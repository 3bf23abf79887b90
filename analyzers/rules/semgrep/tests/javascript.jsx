function Comment({ body }) {
  // ruleid: js-react-dangerously-set-inner-html
  return <div dangerouslySetInnerHTML={{__html: body}} />;
}

function Static() {
  // ok: js-react-dangerously-set-inner-html
  return <div dangerouslySetInnerHTML={{__html: "<b>hi</b>"}} />;
}
