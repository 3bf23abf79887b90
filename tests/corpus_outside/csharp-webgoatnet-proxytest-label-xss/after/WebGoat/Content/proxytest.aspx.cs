using System;
using System.Web.UI;

namespace OWASP.WebGoat.NET
{
    public partial class proxytest : System.Web.UI.Page
    {
        protected void Page_Load(object sender, EventArgs e)
        {
        }

        protected void btnReverse_Click(object sender, EventArgs e)
        {
            String name = txtName.Text;

            txtName.Text = "";

            lblOutput.Text = "Thank you for submitting your character-only name " + name; // EXPECT text box value written into the page
        }

        private string reverse(string s)
        {
            char[] charArray = s.ToCharArray();
            Array.Reverse(charArray);
            return new String(charArray);
        }
    }
}
