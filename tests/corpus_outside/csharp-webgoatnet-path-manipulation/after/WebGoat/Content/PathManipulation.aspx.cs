using System;
using System.IO;
using System.Web;
using System.Web.UI;

namespace OWASP.WebGoat.NET
{
    public partial class PathManipulation : System.Web.UI.Page
    {
        protected void Page_Load(object sender, EventArgs e)
        {
            string filename = Request.QueryString["filename"];
            if(filename != null)
            {
                ResponseFile(Request, Response, filename, MapPath("~/Downloads/" + filename), 100); // EXPECT path from the query string
            }
        }

        public static bool ResponseFile(HttpRequest _Request, HttpResponse _Response, string _fileName, string _fullPath, long _speed)
        {
            try
            {
                FileStream myFile = new FileStream(_fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                BinaryReader br = new BinaryReader(myFile);
                try
                {
                    _Response.AddHeader("Accept-Ranges", "bytes");
                    _Response.ContentType = "application/octet-stream";
                    _Response.AddHeader("Content-Disposition", "attachment;filename=" + HttpUtility.UrlEncode(_fileName, System.Text.Encoding.UTF8));
                    _Response.BinaryWrite(br.ReadBytes((int)myFile.Length));
                }
                finally
                {
                    br.Close();
                    myFile.Close();
                }
            }
            catch(Exception ex)
            {
                Console.WriteLine(ex.Message);
                return false;
            }
            return true;
        }
    }
}
