from flask import Blueprint

mod_user = Blueprint('mod_user', __name__, template_folder='templates')
