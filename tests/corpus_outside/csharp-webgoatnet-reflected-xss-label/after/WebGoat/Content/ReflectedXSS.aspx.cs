using System;
using System.Data;
using System.Web.UI;

namespace OWASP.WebGoat.NET
{
    public partial class ReflectedXSS : System.Web.UI.Page
    {
        protected void Page_Load(object sender, EventArgs e)
        {
            if (Request["classifiedID"] != null)
                DisplayMessage();
        }

        void DisplayMessage()
        {
            try
            {
                int id = int.Parse(Request["classifiedID"]);
                DatabaseUtilities du = new DatabaseUtilities();
                DataTable dt = du.GetPostingByID(id);
                dtlView.DataSource = dt;
                dtlView.DataBind();
            }
            catch (Exception ex)
            {
                lblOutput.Text = "Record " + Request["classifiedID"] + " not found"; // EXPECT request value written into the page
                Console.WriteLine(ex.Message);
            }
        }
    }
}
