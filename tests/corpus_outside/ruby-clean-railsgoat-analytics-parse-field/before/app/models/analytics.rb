# frozen_string_literal: true
class Analytics < ApplicationRecord
end
